import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withTransaction, type Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { feeSchedulesInForce, listSubsidyRules } from '../fees/fee.repository.js';
import { ensureAccounts } from '../ledger/accounts.js';
import { postEntries, reverseRunEntries } from '../ledger/journal.js';
import { computeClearing, type ClearingResult } from './compute.js';
import { floatCheck } from './float-check.js';
import { inputHash, outputHash } from './hash.js';
import { takeAdjustments, takeCash, takeLoads, unseenSince } from './inputs.repository.js';
import { getRun, insertRun } from './run.repository.js';
import {
  LOCKED_RUN_STATUSES,
  type RunClearingInput,
  type RunDetail,
  type RunStatus,
} from './run.types.js';
import { runWindow, type RunWindow } from './run-window.js';
import { takeTransactions } from './take-transactions.js';

// One clearing run at a time across every process ('clearing' as a big-endian int64).
const RUN_LOCK_KEY = '7236828475231651431';

/**
 * Runs clearing for a business day in one transaction: all of it is posted, or none. Repeatable
 * read gives the run one snapshot, so its float check sees exactly the inputs it took.
 */
export async function runClearing(pool: pg.Pool, input: RunClearingInput): Promise<RunDetail> {
  return withTransaction(pool, (tx) => clearDay(tx, input), {
    isolation: 'repeatable read',
    retries: 2,
  });
}

/**
 * The run inside the caller's transaction. A computed or aborted earlier run of the same day is
 * superseded first: its entries reversed and its inputs freed, so the new run takes them again.
 */
export async function clearDay(tx: Queryable, input: RunClearingInput): Promise<RunDetail> {
  const window = await openRun(tx, input);
  const supersedes = await releaseEarlierRuns(tx, input.day, input.now);
  const runId = randomUUID();
  const { result, inHash, takeFloor, takeSince } = await gatherAndCompute(tx, input, {
    runId,
    day: input.day,
    ...window,
  });
  await ensureAccounts(tx, result.accounts, input.now);
  await postEntries(
    tx,
    result.entries.map((e) => ({
      ...e,
      id: randomUUID(),
      runId,
      day: input.day,
      createdAt: input.now,
    })),
  );
  const float = await floatCheck(tx, window.cutoff, takeFloor);
  const run = {
    id: runId,
    day: input.day,
    cutoff: window.cutoff,
    startedBy: input.staff,
    startedAt: input.now,
    inputHash: inHash,
    outputHash: outputHash(input.day, inHash, result),
    floatCheck: float.check,
    floatCarry: float.carry,
    supersedes,
    takeFloor,
    takeSince,
  };
  await insertRun(tx, run, result);
  return getRun(tx, runId);
}

/** Takes the run lock and checks the day: valid, and its cut-off passed. */
async function openRun(tx: Queryable, input: RunClearingInput): Promise<RunWindow> {
  const { rows: lock } = await tx.query<{ ok: boolean }>(
    'SELECT pg_try_advisory_xact_lock($1::bigint) AS ok',
    [RUN_LOCK_KEY],
  );
  if (lock[0]?.ok !== true) {
    throw new AppError('CLEARING_RUN_BUSY', { details: { day: input.day } });
  }
  const window = await runWindow(tx, input.day, input.cutoffTime, input.timeZone);
  if (input.now < window.cutoff) {
    throw new AppError('CLEARING_CUTOFF_NOT_PASSED', {
      details: { day: input.day, cutoff: window.cutoff.toISOString() },
    });
  }
  return window;
}

/** Takes the run's inputs (marking them cleared), aggregates them and computes the result. */
async function gatherAndCompute(
  tx: Queryable,
  input: RunClearingInput,
  w: RunWindow & { readonly runId: string; readonly day: string },
): Promise<{
  result: ClearingResult;
  inHash: string;
  takeFloor: Date | null;
  takeSince: readonly string[] | null;
}> {
  // The aggregation hashes and groups the day's rows: let it do so in memory rather than on disk.
  await tx.query("SET LOCAL work_mem = '256MB'");
  // Compiling the take statement (JIT) took seconds and saved less than that.
  await tx.query('SET LOCAL jit = off');
  const txs = await takeTransactions(tx, w);
  // Counter cash and loads are read from the same floor as the gateway's records, and besides
  // from the earlier runs' snapshots: whatever those did not see, however long ago it is stamped.
  const from =
    txs.floor === null
      ? null
      : { floor: txs.floor, unseen: await unseenSince(tx, w.cutoff, w.day) };
  const issuance = { ...w, from };
  const cash = await takeCash(tx, issuance);
  const loads = await takeLoads(tx, issuance);
  const adjustments = await takeAdjustments(tx, w.runId, input.now);
  const result = computeClearing({
    day: input.day,
    typeAggregates: txs.types,
    discounts: txs.discounts,
    adjustments: adjustments.adjustments,
    cash: cash.cash,
    loads: loads.loads,
    schedules: await feeSchedulesInForce(tx, input.day),
    subsidyRules: await listSubsidyRules(tx),
  });
  const inHash = inputHash({
    day: input.day,
    cutoff: w.cutoff,
    transactions: txs.keys,
    cashMovements: cash.digest,
    loads: loads.digest,
    adjustments: adjustments.digest,
  });
  return {
    result,
    inHash,
    takeFloor: txs.floor,
    takeSince: from?.unseen ?? null,
  };
}

/**
 * Refuses a day that is approved or beyond; supersedes its computed and aborted runs. Returns
 * the id of the run replaced, if any.
 */
async function releaseEarlierRuns(tx: Queryable, day: string, now: Date): Promise<string | null> {
  const { rows } = await tx.query<{ id: string; status: RunStatus }>(
    `SELECT id, status FROM clearing.runs
      WHERE business_day = $1 AND status <> 'superseded' ORDER BY started_at FOR UPDATE`,
    [day],
  );
  const locked = rows.find((r) => LOCKED_RUN_STATUSES.includes(r.status));
  if (locked !== undefined) {
    throw new AppError('CLEARING_DAY_CLOSED', {
      details: { day, runId: locked.id, status: locked.status },
    });
  }
  let replaced: string | null = null;
  for (const run of rows) {
    await releaseRun(tx, run.id, now);
    if (run.status === 'computed') replaced = run.id;
  }
  return replaced;
}

/**
 * Takes a computed or aborted run off the books: its entries reversed (as entries of the same
 * run, so it nets to nothing), its inputs free for the next run, its status superseded.
 */
export async function releaseRun(tx: Queryable, runId: string, now: Date): Promise<void> {
  await reverseRunEntries(tx, runId, now);
  await tx.query(
    `UPDATE clearing.runs SET status = 'superseded', status_changed_at = $2 WHERE id = $1`,
    [runId, now],
  );
  for (const table of [
    'cleared_ranges',
    'cleared_cash_movements',
    'cleared_loads',
    'cleared_adjustments',
  ]) {
    await tx.query(`DELETE FROM clearing.${table} WHERE run_id = $1`, [runId]);
  }
}
