import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import {
  checkBatches,
  insertBatchExceptions,
  type BatchControls,
  type DayWindow,
} from './batch-controls.sql.js';
import { collectChainBreaks, insertBalanceBreaks, insertClones } from './card-chain.sql.js';
import { buildChainCarry, clearSlot, markCarry, planCarry } from './chain-carry.sql.js';
import { insertGaps } from './counter-gaps.sql.js';
import { insertDrawerExceptions } from './drawers.sql.js';
import { getReconciliation, isUuid } from './reconciliation.repository.js';
import { exportSnapshot, onSnapshot, oneAtATime, repeatableRead } from './sessions.js';
import type {
  ReconcileInput,
  Reconciliation,
  ReconciliationSources,
} from './reconciliation.types.js';

export const DEFAULT_SOURCES: ReconciliationSources = { gateway: 'gateway', issuance: 'issuance' };

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const CUTOFF = /^([01]\d|2[0-3]):[0-5]\d$/;
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

function validated(input: ReconcileInput): {
  sources: ReconciliationSources;
  cutoffTime: string;
  timeZone: string;
} {
  const cutoffTime = input.cutoffTime ?? '04:00';
  const timeZone = input.timeZone ?? 'Asia/Shanghai';
  const sources = { ...DEFAULT_SOURCES, ...input.sources };
  const zoneOk = (() => {
    try {
      new Intl.DateTimeFormat('en', { timeZone });
      return true;
    } catch {
      return false;
    }
  })();
  if (!DAY.test(input.day) || !CUTOFF.test(cutoffTime) || !zoneOk) {
    throw new AppError('CLEARING_DAY_INVALID', { details: { day: input.day, cutoffTime } });
  }
  // Schema names go into the SQL text: only plain lower-case identifiers are taken.
  if (!SCHEMA.test(sources.gateway) || !SCHEMA.test(sources.issuance)) {
    throw new AppError('VALIDATION_FAILED', { message: 'Invalid reconciliation source schema' });
  }
  return { sources, cutoffTime, timeZone };
}

async function checkRun(db: Queryable, runId: string, day: string): Promise<void> {
  const { rows } = isUuid(runId)
    ? await db.query<{ day: string }>(
        `SELECT to_char(business_day, 'YYYY-MM-DD') AS day FROM runs WHERE id = $1::uuid`,
        [runId],
      )
    : { rows: [] };
  if (rows[0] === undefined) {
    throw new AppError('CLEARING_RUN_NOT_FOUND', { details: { runId } });
  }
  if (rows[0].day !== day) {
    throw new AppError('CLEARING_DAY_INVALID', {
      message: 'The run is for another business day',
      details: { runId, day, runDay: rows[0].day },
    });
  }
}

interface Reconciling {
  readonly id: string;
  readonly input: ReconcileInput;
  readonly sources: ReconciliationSources;
  readonly window: DayWindow;
  readonly startedAt: Date;
  readonly started: number;
}

/**
 * The card chains, linked across the night by last night's carry when there is one; a closed day
 * then leaves its own carry for the next night.
 */
async function chainPass(
  tx: Queryable,
  sources: ReconciliationSources,
  window: DayWindow,
): Promise<void> {
  const plan = await planCarry(tx, window);
  // Without last night's carry the pass writes no tails: they come from the whole history once.
  const carry = { ...plan, write: plan.write && plan.read };
  if (carry.write) await clearSlot(tx, carry.writeSlot);
  await collectChainBreaks(tx, sources, window.day, carry);
  if (carry.write) await markCarry(tx, window.day);
  else if (plan.write) await buildChainCarry(tx, sources, window.day);
}

/** The card chain checks, each writing its exceptions. */
async function checkChains(tx: Queryable, r: Reconciling): Promise<void> {
  const { id, sources, window } = r;
  await chainPass(tx, sources, window);
  await insertClones(tx, id, window.day);
  await insertBalanceBreaks(tx, id, window.day);
  await insertGaps(tx, sources, id, window.day);
}

/**
 * The chain checks here and the batch checks on a second connection sharing this transaction's
 * snapshot, so the two large passes (a sort by card, an aggregate by batch) run at once. Both are
 * waited for, whichever fails, before the transaction ends.
 *
 * The chain pass is not split further: on two cores, two passes over half the cards each, at
 * once, took as long as one over all of them (5M records: 7.9–8.1 s each at once, 4.7–5.0 s for a
 * half alone, 7.5 s for the whole), and with the batch pass beside them 10.7–11.0 s against
 * 8.1–8.8 s. Here, two such passes at once are no faster than one after the other.
 */
async function checkBoth(db: pg.Pool, tx: Queryable, r: Reconciling): Promise<BatchControls> {
  const settings = async (c: Queryable): Promise<void> => {
    // The chain pass sorts the day's records and the batch pass hashes them: in memory where they
    // fit. Compiling these few large statements (JIT) took seconds each and saved less than that.
    await c.query("SET LOCAL work_mem = '256MB'");
    await c.query('SET LOCAL jit = off');
  };
  await settings(tx);
  const snapshot = await exportSnapshot(tx);
  const [batches, chains] = await Promise.allSettled([
    onSnapshot(db, snapshot, async (side) => {
      await settings(side);
      // The chain pass is the longer one (a sort, then a window in one process): the batch
      // aggregate, alone in its process, still ends first, and parallel workers of its own only
      // took cores from the chain's sort (15M records: 28.9 s with them, 25.4 s without).
      await side.query('SET LOCAL max_parallel_workers_per_gather = 0');
      return checkBatches(side, r.sources, r.window);
    }),
    checkChains(tx, r),
  ]);
  if (chains.status === 'rejected') throw chains.reason;
  if (batches.status === 'rejected') throw batches.reason;
  return batches.value;
}

/** Every check of the day, its exceptions stored; then the reconciliation with the counts. */
async function reconcileIn(db: pg.Pool, tx: Queryable, r: Reconciling): Promise<void> {
  const { id, sources, window } = r;
  const { day } = window;
  if (r.input.runId !== undefined) await checkRun(tx, r.input.runId, day);
  const totals = await checkBoth(db, tx, r);
  for (const rows of totals.exceptions) await insertBatchExceptions(tx, id, day, rows);
  const drawers = await insertDrawerExceptions(tx, sources, id, day, window.timeZone);
  const finishedAt = new Date(r.startedAt.getTime() + Math.round(performance.now() - r.started));
  await tx.query(
    `INSERT INTO reconciliations (id, business_day, run_id, started_at, finished_at,
                                  records_checked, batches_checked, drawers_checked,
                                  exception_count, by_kind)
     SELECT $1, $2::date, $3::uuid, $4, $5, $6, $7, $8,
            COALESCE(sum(n), 0), COALESCE(jsonb_object_agg(kind, n), '{}'::jsonb)
       FROM (SELECT kind, count(*) AS n FROM reconciliation_exceptions
              WHERE reconciliation_id = $1 GROUP BY kind) k`,
    [
      id,
      day,
      r.input.runId ?? null,
      r.startedAt,
      finishedAt,
      totals.records,
      totals.batches,
      drawers,
    ],
  );
}

/**
 * Reconciles business day `day` in one repeatable-read transaction (one snapshot of the evidence):
 * the card chains, the batch control totals and late uploads, and the counter cash drawers. The
 * exceptions are stored under a new reconciliation, which becomes the day's latest; nothing
 * earlier is changed. One reconciliation runs at a time; it takes two connections of `db`, which
 * must have the clearing schema first on its search_path.
 */
export async function reconcileDay(db: pg.Pool, input: ReconcileInput): Promise<Reconciliation> {
  const { sources, cutoffTime, timeZone } = validated(input);
  const r: Reconciling = {
    id: randomUUID(),
    input,
    sources,
    window: { day: input.day, cutoffTime, timeZone },
    startedAt: input.now ?? new Date(),
    started: performance.now(),
  };
  await oneAtATime(db, (session) => repeatableRead(session, (tx) => reconcileIn(db, tx, r)));
  const done = await getReconciliation(db, r.id);
  if (done === undefined) throw new AppError('RECONCILIATION_NOT_FOUND', { details: { id: r.id } });
  return done;
}
