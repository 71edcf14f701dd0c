export { CLEARING_TEST_MIGRATIONS, createClearingTestDb, type ClearingTestDb } from './harness.js';
export { addOperators, insertTransactions, type TestTransaction } from './gateway-rows.js';
export { addCashMovement, type TestCashMovement } from './issuance-rows.js';
export {
  addConfirmedLoad,
  addShadowEntries,
  replaceShadowContracts,
  type TestShadowEntry,
} from './issuance-doubles.js';
