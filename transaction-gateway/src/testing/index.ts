export {
  databaseUrl,
  startGatewayTestApp,
  type GatewayTestApp,
  type GatewayTestOptions,
} from './harness.js';
export { TestTerminal, nextPurseCounter, type TerminalCredentials } from './test-terminal.js';
export {
  addCard,
  addStaffSession,
  createContractDouble,
  hotlistCard,
  type AddCardOptions,
  type TestCard,
  type TestStaff,
} from './contract-double.js';
export { testCa } from './test-ca.js';
