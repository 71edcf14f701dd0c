import type pg from 'pg';
import { z } from 'zod';
import type { Logger } from '@citycard/core/logging';
import type { AppWorker, QueueFactory } from '@citycard/core/queue';
import {
  DEFAULT_LOOKBACK_SECONDS,
  postTerminalDebits,
  type PostingResult,
} from './post-terminal-debits.js';
import { markSweep, readCursor } from './shadow-posting.repository.js';

export const SHADOW_POSTING_QUEUE = 'issuance-shadow-posting';
export const SHADOW_POSTING_SCHEDULER_ID = 'shadow-posting';
export const SHADOW_POSTING_JOB = 'post-terminal-debits';
export const SHADOW_POSTING_EVERY_MS = 60_000;

export const shadowPostingJobData = z.strictObject({
  /** Records per transaction. */
  limit: z.int().min(1).max(1_000_000).default(50_000),
  /** Transactions per job at most, so one job never runs for long; the next one goes on. */
  maxRounds: z.int().min(1).max(1000).default(20),
  lookbackSeconds: z.int().min(0).max(86_400).default(DEFAULT_LOOKBACK_SECONDS),
  /** A sweep, reading this far back from the cursor, when the last one is this old. */
  sweepEverySeconds: z.int().min(60).default(3600),
  sweepLookbackSeconds: z
    .int()
    .min(60)
    .max(31 * 86_400)
    .default(86_400),
  /** A sweep now, whenever the last one was. */
  sweep: z.boolean().default(false),
  /** Read every accepted record from the first (after a restore, or to prove nothing is left). */
  full: z.boolean().default(false),
});
export type ShadowPostingJobData = z.input<typeof shadowPostingJobData>;

export interface ShadowPostingJobResult {
  readonly rounds: number;
  readonly busy: boolean;
  readonly sweep: boolean;
  readonly full: boolean;
  readonly drained: boolean;
  readonly taken: number;
  readonly posted: number;
  readonly debits: number;
  readonly fareRefunds: number;
  readonly unknownCards: number;
  readonly negativeCards: number;
  readonly durationMs: number;
}

export interface ShadowPostingDeps {
  /** An issuance pool (issuance first on the search_path). */
  readonly db: pg.Pool;
  readonly log: Logger;
}

async function sweepDue(db: pg.Pool, everySeconds: number): Promise<boolean> {
  const { lastSweepAt, now } = await readCursor(db);
  return lastSweepAt === null || now.getTime() - lastSweepAt.getTime() >= everySeconds * 1000;
}

function warnings(log: Logger, r: PostingResult): void {
  if (r.negativeCards > 0) {
    log.warn(
      { negativeCards: r.negativeCards, cardIds: r.negativeCardIds },
      'terminal debits took shadow balances below zero: cards spent more than was loaded',
    );
  }
  if (r.unknownCards > 0) {
    log.warn({ unknownCards: r.unknownCards }, 'accepted records name cards issuance never issued');
  }
}

/**
 * Posts what the gateway accepted since the last job, one transaction after another until
 * nothing is waiting (or maxRounds); now and then a sweep, reading a day back. Logs one line of
 * counts; card numbers are never logged, only the ids of cards gone below zero.
 */
export async function shadowPostingJob(
  deps: ShadowPostingDeps,
  data: unknown,
): Promise<ShadowPostingJobResult> {
  const o = shadowPostingJobData.parse(data ?? {});
  const started = Date.now();
  const sweep = o.full || o.sweep || (await sweepDue(deps.db, o.sweepEverySeconds));
  const pass = {
    limit: o.limit,
    lookbackSeconds: sweep ? o.sweepLookbackSeconds : o.lookbackSeconds,
    full: o.full,
  };
  const totals = { taken: 0, posted: 0, debits: 0, fareRefunds: 0, unknownCards: 0 };
  let last: PostingResult | undefined;
  let negativeCards = 0;
  let rounds = 0;
  while (rounds < o.maxRounds && (last === undefined || (!last.busy && !last.drained))) {
    last = await postTerminalDebits(deps.db, pass);
    rounds++;
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += last[k];
    negativeCards += last.negativeCards;
    warnings(deps.log, last);
  }
  const drained = last?.drained ?? false;
  if (sweep && drained) await markSweep(deps.db);
  const result: ShadowPostingJobResult = {
    rounds,
    busy: last?.busy ?? false,
    sweep,
    full: o.full,
    drained,
    ...totals,
    negativeCards,
    durationMs: Date.now() - started,
  };
  deps.log.info(result, 'terminal debits posted to shadow balances');
  return result;
}

/** Creates or replaces the repeatable job (every minute by default). */
export async function scheduleShadowPosting(
  queues: QueueFactory,
  everyMs = SHADOW_POSTING_EVERY_MS,
  queueName = SHADOW_POSTING_QUEUE,
): Promise<void> {
  await queues.schedule<ShadowPostingJobData>(
    queueName,
    SHADOW_POSTING_SCHEDULER_ID,
    { every: everyMs },
    { name: SHADOW_POSTING_JOB, data: {} },
  );
}

/** The worker for the queue; one job at a time is enough (postings take a lock anyway). */
export function startShadowPostingWorker(
  queues: QueueFactory,
  deps: ShadowPostingDeps,
  queueName = SHADOW_POSTING_QUEUE,
): AppWorker<ShadowPostingJobData, ShadowPostingJobResult> {
  return queues.worker<ShadowPostingJobData, ShadowPostingJobResult>(
    queueName,
    async (job) => {
      if (job.name !== SHADOW_POSTING_JOB)
        throw new Error(`unknown shadow posting job ${job.name}`);
      return shadowPostingJob(deps, job.data);
    },
    { concurrency: 1 },
  );
}
