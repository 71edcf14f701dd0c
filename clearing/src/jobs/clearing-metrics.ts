import { Counter, Gauge, Registry } from 'prom-client';

/** Clearing's Prometheus metrics, one registry per process, served at GET /metrics. */
export const clearingRegistry = new Registry();

/** Nightly runs by outcome: ran, skipped (day already closed), retried, failed (alert). */
export const nightlyRunsTotal = new Counter({
  name: 'clearing_nightly_runs_total',
  help: 'Nightly clearing jobs by outcome; outcome="failed" is the alert',
  labelNames: ['outcome'] as const,
  registers: [clearingRegistry],
});

/** Alert when this is more than a day behind: the night's clearing did not complete. */
export const nightlyLastSuccess = new Gauge({
  name: 'clearing_nightly_last_success_timestamp_seconds',
  help: 'When the nightly clearing last completed',
  registers: [clearingRegistry],
});
