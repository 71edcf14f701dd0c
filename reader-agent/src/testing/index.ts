export { pcscdGate, type PcscdGate } from './pcscd-gate.js';
export { startVpcdCard } from './vpcd-cards.js';
export { lockVpcdReaders } from './vpcd-lock.js';
export { VPCD_READERS, type VpcdReaderName } from './vpcd-readers.js';
export { FakePcscDevice, FakePcscSource } from './fake-pcsc.js';
export {
  cardKeysFor,
  personalisationPlan,
  PURSE_RECORD_BLOCK,
  readCard,
  stockUid,
  TEST_MASTERS,
  testIssuerInfo,
  topUpPlan,
} from './card-scenarios.js';
export {
  waitForCard,
  waitForCardRemoved,
  waitForReader,
  waitForReaderRemoved,
} from './wait-for.js';
