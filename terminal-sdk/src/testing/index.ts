export {
  startTestGateway,
  type TestGateway,
  type TestGatewayFaults,
  type TestGatewayOptions,
} from './test-gateway.js';
export { TestLedger, type StoredRecord, type TestTerminal } from './test-ledger.js';
export { TestDistribution } from './test-distribution.js';
export { sampleDraft } from './sample-record.js';
