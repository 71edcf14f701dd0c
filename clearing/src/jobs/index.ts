export { isCalendarDay, lastClosedBusinessDay } from './business-day.js';
export { clearingRegistry, nightlyLastSuccess, nightlyRunsTotal } from './clearing-metrics.js';
export {
  CLEARING_QUEUE,
  enqueueClearingRun,
  NIGHTLY_JOB,
  NIGHTLY_SCHEDULER_ID,
  processNightly,
  scheduleNightlyClearing,
  SCHEDULER_ACTOR,
  startClearingWorker,
  type NightlyJobData,
  type NightlyJobResult,
} from './nightly.job.js';
