export { OUTBOX_TOPICS, POSTPROCESS_QUEUE, writeOutbox, type OutboxPayload } from './outbox.js';
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';
export {
  checkCard,
  processPostprocessJob,
  startPostprocessWorker,
  type CardCheck,
  type PostprocessDeps,
} from './postprocess.worker.js';
export { continuityFindings, type ChainRecord, type Finding } from './continuity.js';
export { checkFareDay, groupByServiceDay, type TransitRecord } from './fare-day-check.js';
export { listAnomalies, type AnomalyOut } from './anomalies.repository.js';
