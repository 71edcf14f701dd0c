import { enqueueClearingRun, CLEARING_QUEUE, type NightlyJobResult } from '@citycard/clearing/jobs';
import { clearingSettingsFromEnv } from '@citycard/clearing';
import { fakeBankConfirm } from '@citycard/clearing/settlement';
import { AppError } from '@citycard/core/errors';
import type { QueueFactory } from '@citycard/core/queue';
import { call, type Json, type Session } from './http.js';

/** Runs the nightly clearing job the schedule would start, on the real queue, and waits for it. */
export async function nightlyClearing(
  queues: QueueFactory,
  timeoutMs: number,
): Promise<NightlyJobResult> {
  const settings = clearingSettingsFromEnv();
  const jobId = await enqueueClearingRun(queues, settings, {});
  const queue = queues.queue<unknown, NightlyJobResult>(CLEARING_QUEUE);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = await queue.getJob(jobId);
    const state = job === undefined ? 'missing' : await job.getState();
    // Read again once completed: the job read before its state may predate its return value.
    if (state === 'completed') {
      const done = await queue.getJob(jobId);
      if (done !== undefined) return done.returnvalue;
    }
    if (state === 'failed') {
      throw new AppError('QUEUE_UNAVAILABLE', {
        message: `the nightly clearing job failed: ${job?.failedReason ?? ''}`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new AppError('QUEUE_UNAVAILABLE', {
    message: 'the nightly clearing job did not finish in time',
  });
}

export interface Settlement {
  readonly run: Json;
  readonly paymentFile: string;
  readonly confirmation: Json;
}

/**
 * Finance's morning: the second finance user approves the run the night computed, the bank
 * payment file is written, the (simulated) bank answers, and the confirmation settles the run.
 */
export async function settle(
  clearingUrl: string,
  runId: string,
  approver: Session,
  instructor: Session,
): Promise<Settlement> {
  await call(clearingUrl, 'POST', `/v1/runs/${runId}/approve`, approver);
  await call(clearingUrl, 'POST', `/v1/runs/${runId}/instruct`, instructor);
  const paymentFile = await call<string>(
    clearingUrl,
    'GET',
    `/v1/runs/${runId}/payment-file`,
    instructor,
  );
  // FAKE BANK: the one party the platform does not run; it pays every line as instructed.
  const content = fakeBankConfirm(paymentFile);
  const confirmation = await call(
    clearingUrl,
    'POST',
    `/v1/runs/${runId}/confirmation`,
    instructor,
    {
      content,
    },
  );
  const run = await call(clearingUrl, 'GET', `/v1/runs/${runId}`, instructor);
  return { run, paymentFile, confirmation };
}
