import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics. One registry per process: the objects below are shared by
 * every app built in it (tests build several), and ingest updates them directly.
 */
export const gatewayRegistry = new Registry();
collectDefaultMetrics({ register: gatewayRegistry, prefix: 'gateway_process_' });

export const RECORD_OUTCOME_LABELS = ['accepted', 'duplicate', 'quarantined', 'conflict'] as const;
export type RecordOutcomeLabel = (typeof RECORD_OUTCOME_LABELS)[number];

/** Records received, by outcome; `rate(gateway_records_total[1m])` is records/s. */
export const recordsTotal = new Counter({
  name: 'gateway_records_total',
  help: 'Transaction records received, by outcome',
  labelNames: ['outcome'] as const,
  registers: [gatewayRegistry],
});

/** Batches answered: stored (new), replayed (same batch again) or rejected (4xx, nothing written). */
export const batchesTotal = new Counter({
  name: 'gateway_batches_total',
  help: 'Batches answered, by result',
  labelNames: ['result'] as const,
  registers: [gatewayRegistry],
});

export const quarantineTotal = new Counter({
  name: 'gateway_quarantine_total',
  help: 'Records quarantined on ingest, by reason code',
  labelNames: ['reason'] as const,
  registers: [gatewayRegistry],
});

/** From request received to receipt sent (after commit), per ingest route. */
export const ingestLatency = new Histogram({
  name: 'gateway_ingest_duration_seconds',
  help: 'Ingest latency from request to receipt, after commit',
  labelNames: ['route'] as const,
  buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
  registers: [gatewayRegistry],
});

export const outboxRelayedTotal = new Counter({
  name: 'gateway_outbox_relayed_total',
  help: 'Outbox rows moved to the job queue',
  registers: [gatewayRegistry],
});

export const outboxRelayFailuresTotal = new Counter({
  name: 'gateway_outbox_relay_failures_total',
  help: 'Relay rounds that could not reach the job queue (rows stay in the outbox)',
  registers: [gatewayRegistry],
});

export const outboxPending = new Gauge({
  name: 'gateway_outbox_pending',
  help: 'Outbox rows not yet moved to the job queue, as of the last relay round',
  registers: [gatewayRegistry],
});

export const cardAnomaliesTotal = new Counter({
  name: 'gateway_card_anomalies_total',
  help: 'Card anomalies found by post-processing, by kind',
  labelNames: ['kind'] as const,
  registers: [gatewayRegistry],
});

export const rateLimitedTotal = new Counter({
  name: 'gateway_rate_limited_total',
  help: 'Terminal requests refused by the per-terminal rate limit',
  registers: [gatewayRegistry],
});

export interface BatchObservation {
  /** 'batch' or 'transaction' (the single-record route). */
  readonly route: string;
  readonly result: 'stored' | 'replayed' | 'rejected';
  readonly counts?: Partial<Record<RecordOutcomeLabel, number>>;
  /** One entry per quarantined record. */
  readonly quarantineReasons?: readonly string[];
  readonly seconds?: number;
}

/** One call per answered ingest request keeps the metrics consistent with each other. */
export function observeIngest(o: BatchObservation): void {
  batchesTotal.inc({ result: o.result });
  for (const outcome of RECORD_OUTCOME_LABELS) {
    const n = o.counts?.[outcome] ?? 0;
    if (n > 0) recordsTotal.inc({ outcome }, n);
  }
  for (const reason of o.quarantineReasons ?? []) quarantineTotal.inc({ reason });
  if (o.seconds !== undefined) ingestLatency.observe({ route: o.route }, o.seconds);
}
