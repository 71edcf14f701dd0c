import { AppError } from '@citycard/core/errors';
import type { AppJob, AppWorker, QueueFactory } from '@citycard/core/queue';
import type { ClearingDeps, ClearingSettings } from '../deps.js';
import { reconcileDay } from '../reconciliation/index.js';
import { listRuns, runClearing } from '../run/index.js';
import { LOCKED_RUN_STATUSES, type Run } from '../run/run.types.js';
import { isCalendarDay, lastClosedBusinessDay } from './business-day.js';
import { nightlyLastSuccess, nightlyRunsTotal } from './clearing-metrics.js';

export const CLEARING_QUEUE = 'clearing';
export const NIGHTLY_SCHEDULER_ID = 'clearing-nightly';
export const NIGHTLY_JOB = 'nightly-run';
/** The starter recorded on runs the scheduler makes; no staff username contains ':'. */
export const SCHEDULER_ACTOR = 'system:scheduler';

export interface NightlyJobData {
  /** YYYY-MM-DD; absent: the latest business day whose cut-off has passed. */
  readonly day?: string;
}

export interface NightlyJobResult {
  readonly day: string;
  readonly runId: string;
  readonly status: string;
  readonly outputHash: string;
  /** ran: this job made the run; kept: a run of the day existed (started by hand, or closed). */
  readonly outcome: 'ran' | 'kept';
  readonly reconciliationId: string | null;
  readonly exceptions: number | null;
}

function retryOptions(settings: ClearingSettings) {
  return {
    attempts: settings.nightlyAttempts,
    backoff: { type: 'exponential', delay: settings.nightlyBackoffMs },
  } as const;
}

/** Creates or replaces the nightly scheduler (cron in the clearing time zone). */
export async function scheduleNightlyClearing(
  queues: QueueFactory,
  settings: ClearingSettings,
  queueName = CLEARING_QUEUE,
): Promise<void> {
  await queues.schedule<NightlyJobData>(
    queueName,
    NIGHTLY_SCHEDULER_ID,
    { pattern: settings.nightlyCron, tz: settings.timeZone },
    { name: NIGHTLY_JOB, data: {}, opts: retryOptions(settings) },
  );
}

/** Queues one run now, with the nightly job's retries: `citycard clearing run --queue`, tests. */
export async function enqueueClearingRun(
  queues: QueueFactory,
  settings: ClearingSettings,
  data: NightlyJobData = {},
  queueName = CLEARING_QUEUE,
): Promise<string> {
  const job = await queues
    .queue<NightlyJobData, NightlyJobResult>(queueName)
    .add(NIGHTLY_JOB, data, retryOptions(settings));
  return job.id ?? '';
}

async function liveRun(deps: ClearingDeps, day: string): Promise<Run | undefined> {
  const runs = await listRuns(deps.db, { day });
  return runs.find((r) => r.status !== 'aborted' && r.status !== 'superseded');
}

/**
 * Clears the day unless it already has a run (a finance user may have run it by hand, or it is
 * closed), then reconciles it. A retry after a crash finds the committed run, or none: a run is
 * one transaction, so there is never half of one.
 *
 * The reconciliation waits for the run rather than running beside it. It already keeps both cores
 * busy (its chain sort and batch aggregate run at once), and a third large pass slowed all of
 * them: at 15M records the run took 35.8 s beside the reconciliation against 16.8 s alone, and
 * the reconciliation 63.9 s against 37.6 s, so the night was longer than the two in turn. Its
 * snapshot would also be taken before the run commits, so it could not name the run.
 */
export async function processNightly(
  deps: ClearingDeps,
  data: NightlyJobData,
): Promise<NightlyJobResult> {
  const { cutoffTime, timeZone } = deps.settings;
  const day = data.day ?? lastClosedBusinessDay(deps.clock(), cutoffTime, timeZone);
  if (!isCalendarDay(day)) throw new AppError('CLEARING_DAY_INVALID', { details: { day } });
  const existing = await liveRun(deps, day);
  const run =
    existing ??
    (await runClearing(deps.db, {
      day,
      staff: SCHEDULER_ACTOR,
      now: deps.clock(),
      cutoffTime,
      timeZone,
    }));
  const closed = LOCKED_RUN_STATUSES.includes(run.status);
  const reconciliation = closed
    ? null
    : await reconcileDay(deps.db, { day, runId: run.id, now: deps.clock(), cutoffTime, timeZone });
  return {
    day,
    runId: run.id,
    status: run.status,
    outputHash: run.outputHash,
    outcome: existing === undefined ? 'ran' : 'kept',
    reconciliationId: reconciliation?.id ?? null,
    exceptions: reconciliation?.exceptionCount ?? null,
  };
}

/** After the last attempt: the alert, as an error log line and a metric. */
function watchFailures(
  worker: AppWorker<NightlyJobData, NightlyJobResult>,
  deps: ClearingDeps,
): void {
  worker.on('failed', (job: AppJob<NightlyJobData, NightlyJobResult> | undefined, err: Error) => {
    const attempts = job?.opts.attempts ?? 1;
    const final = job === undefined || job.attemptsMade >= attempts;
    nightlyRunsTotal.inc({ outcome: final ? 'failed' : 'retried' });
    const fields = {
      alert: final ? 'CLEARING_NIGHTLY_FAILED' : undefined,
      jobId: job?.id,
      day: job?.data.day,
      attemptsMade: job?.attemptsMade,
      attempts,
      code: err instanceof AppError ? err.code : undefined,
      err: { message: err.message },
    };
    if (final) deps.log.error(fields, 'ALERT: nightly clearing failed after every retry');
    else deps.log.warn(fields, 'nightly clearing failed, will retry');
  });
}

export function startClearingWorker(
  queues: QueueFactory,
  deps: ClearingDeps,
  queueName = CLEARING_QUEUE,
): AppWorker<NightlyJobData, NightlyJobResult> {
  const worker = queues.worker<NightlyJobData, NightlyJobResult>(queueName, async (job) => {
    if (job.name !== NIGHTLY_JOB) throw new Error(`unknown clearing job ${job.name}`);
    const result = await processNightly(deps, job.data);
    nightlyRunsTotal.inc({ outcome: result.outcome });
    nightlyLastSuccess.setToCurrentTime();
    deps.log.info({ ...result, jobId: job.id }, 'nightly clearing done');
    return result;
  });
  watchFailures(worker, deps);
  return worker;
}
