export {
  RECORD_OUTCOME_LABELS,
  batchesTotal,
  cardAnomaliesTotal,
  gatewayRegistry,
  ingestLatency,
  observeIngest,
  outboxPending,
  outboxRelayFailuresTotal,
  outboxRelayedTotal,
  quarantineTotal,
  rateLimitedTotal,
  recordsTotal,
  type BatchObservation,
  type RecordOutcomeLabel,
} from './gateway-metrics.js';
export { registerMetricsRoute } from './metrics.route.js';
