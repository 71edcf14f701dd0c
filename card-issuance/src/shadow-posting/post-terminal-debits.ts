import type pg from 'pg';
import { withTransaction, type Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import {
  advanceCursor,
  insertEntries,
  lockBatchCards,
  noteUnknownCards,
  readCursor,
  takeBatch,
  tryPostingLock,
  type PostingCursor,
} from './shadow-posting.repository.js';

export interface PostingOptions {
  /** Records taken in one transaction. */
  readonly limit: number;
  /**
   * How far before the cursor a pass reads again: a record is stamped when the gateway receives
   * it (on the gateway's clock) and is visible only once its transaction commits, so one stamped
   * before the last pass may appear after it. Default 120 s; a sweep reads a day back.
   */
  readonly lookbackSeconds?: number;
  /** Read every accepted record from the first, whatever the cursor says. */
  readonly full?: boolean;
}

export interface PostingResult {
  /** Another posting held the lock: nothing was read. */
  readonly busy: boolean;
  readonly full: boolean;
  /** Records read: posted plus noted. */
  readonly taken: number;
  /** Entries written: debits plus fare refunds. */
  readonly posted: number;
  readonly debits: number;
  readonly fareRefunds: number;
  /** Records noted as exceptions because no issued card has their number. */
  readonly unknownCards: number;
  /** Cards an entry of this posting left below zero: more spent than was ever loaded. */
  readonly negativeCards: number;
  /** A sample of those cards' ids, for the warning. */
  readonly negativeCardIds: readonly string[];
  /** Fewer than `limit` records were waiting: the pass read everything it covers. */
  readonly drained: boolean;
}

export const DEFAULT_LOOKBACK_SECONDS = 120;
const MAX_LIMIT = 1_000_000;
const NEGATIVE_SAMPLE = 20;

function checked(options: PostingOptions): Required<PostingOptions> {
  const { limit } = options;
  const lookbackSeconds = options.lookbackSeconds ?? DEFAULT_LOOKBACK_SECONDS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new AppError('VALIDATION_FAILED', {
      message: `limit must be an integer from 1 to ${MAX_LIMIT}`,
      details: { field: 'limit', value: limit },
    });
  }
  if (!Number.isFinite(lookbackSeconds) || lookbackSeconds < 0) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'lookbackSeconds must be zero or more',
      details: { field: 'lookbackSeconds', value: lookbackSeconds },
    });
  }
  return { limit, lookbackSeconds, full: options.full ?? false };
}

function startOf(cursor: PostingCursor, o: Required<PostingOptions>): Date | null {
  if (o.full || cursor.acceptedThrough === null) return null;
  return new Date(cursor.acceptedThrough.getTime() - o.lookbackSeconds * 1000);
}

const BUSY: PostingResult = {
  busy: true,
  full: false,
  taken: 0,
  posted: 0,
  debits: 0,
  fareRefunds: 0,
  unknownCards: 0,
  negativeCards: 0,
  negativeCardIds: [],
  drained: false,
};

async function postOnce(tx: Queryable, o: Required<PostingOptions>): Promise<PostingResult> {
  if (!(await tryPostingLock(tx))) return BUSY;
  const cursor = await readCursor(tx);
  const from = startOf(cursor, o);
  const { taken, lastAcceptedAt } = await takeBatch(tx, from, o.limit);
  await lockBatchCards(tx);
  const inserted = await insertEntries(tx, NEGATIVE_SAMPLE);
  const unknownCards = await noteUnknownCards(tx);
  const drained = taken < o.limit;
  // Drained: every record committed before this transaction began is in. Not drained: every
  // waiting record accepted before the last one taken is in.
  await advanceCursor(tx, drained ? cursor.now : lastAcceptedAt);
  return {
    busy: false,
    full: from === null,
    taken,
    posted: inserted.debits + inserted.fareRefunds,
    ...inserted,
    unknownCards,
    drained,
  };
}

/**
 * Posts the terminal records the gateway accepted to the shadow balances of their cards: each
 * exactly once (a unique index on the record's key, and one posting at a time), whenever it
 * arrives, in one transaction per call. A record accepted late is posted after the entries
 * already there, with the running balance carried on from them.
 */
export async function postTerminalDebits(
  db: pg.Pool,
  options: PostingOptions,
): Promise<PostingResult> {
  const o = checked(options);
  // A deadlock with a counter's transfer (which locks two cards) aborts one side: try again.
  return withTransaction(db, (tx) => postOnce(tx, o), { retries: 3 });
}
