import type { Queryable } from '@citycard/core/db';

/**
 * The records one posting takes, kept for the length of its transaction: the card locks, the
 * entries and the exceptions must all work on the same set, and a later statement would see
 * records committed since.
 */
const BATCH = 'shadow_posting_batch';

/** One poster per schema at a time; a second one finds it held and goes away. */
export async function tryPostingLock(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ got: boolean }>(
    `SELECT pg_try_advisory_xact_lock(hashtextextended(current_schema() || '/shadow-posting', 0))
       AS got`,
  );
  return rows[0]?.got === true;
}

export interface PostingCursor {
  readonly acceptedThrough: Date | null;
  readonly lastSweepAt: Date | null;
  /** The transaction's start: everything committed before it is visible to the posting. */
  readonly now: Date;
}

export async function readCursor(db: Queryable): Promise<PostingCursor> {
  const { rows } = await db.query<PostingCursor>(
    `SELECT accepted_through AS "acceptedThrough", last_sweep_at AS "lastSweepAt", now() AS now
       FROM shadow_posting_cursor`,
  );
  const row = rows[0];
  if (row === undefined)
    throw new Error('shadow_posting_cursor has no row: migration 0012 missing');
  return row;
}

export interface Taken {
  readonly taken: number;
  readonly lastAcceptedAt: Date | null;
}

/**
 * Takes up to `limit` accepted records that move money and are neither posted nor noted, oldest
 * acceptance first, from `from` on (everything when null). Each comes with its card when
 * issuance knows the number.
 */
export async function takeBatch(db: Queryable, from: Date | null, limit: number): Promise<Taken> {
  // The batch is sorted and windowed in memory (the default work_mem spills 50 000 rows to
  // disk); and compiling a plan costs more than the idle pass it would speed up, every minute.
  await db.query(`SET LOCAL work_mem = '64MB'`);
  await db.query('SET LOCAL jit = off');
  await db.query(
    `CREATE TEMP TABLE ${BATCH} (
       terminal_id text NOT NULL, sequence bigint NOT NULL, card_number text NOT NULL,
       amount numeric(18,2) NOT NULL, occurred_at timestamptz NOT NULL,
       accepted_at timestamptz NOT NULL, card_id uuid
     ) ON COMMIT DROP`,
  );
  // Each waiting record probes the two indexes on its own (OFFSET 0 keeps the planner from
  // turning NOT EXISTS into a join): a join's plan rests on statistics a large posting has just
  // made stale, and a nested loop over a materialised index built on them takes hours. A record
  // with a known card is never among the exceptions, so only the others look there.
  const { rows } = await db.query<{ taken: number; last: Date | null }>(
    `WITH taken AS (
       INSERT INTO ${BATCH}
       SELECT t.terminal_id, t.sequence, t.card_number, t.amount, t.occurred_at, t.accepted_at,
              c.id
         FROM gateway.accepted_transactions_contract t
         LEFT JOIN cards c ON c.card_number = t.card_number
        WHERE t.accepted_at >= COALESCE($1::timestamptz, '-infinity')
          -- The same, in the columns the gateway's indexes answer: the pass reads from its
          -- cursor on, not the whole history.
          AND ($1::timestamptz IS NULL OR t.received_at >= $1 OR t.resolved_at >= $1)
          AND t.amount <> 0
          AND NOT EXISTS (
            SELECT 1 FROM shadow_balance_entries e
             WHERE e.terminal_id = t.terminal_id AND e.sequence = t.sequence
               AND e.terminal_id IS NOT NULL
            OFFSET 0)
          AND (c.id IS NOT NULL OR NOT EXISTS (
            SELECT 1 FROM shadow_posting_exceptions x
             WHERE x.terminal_id = t.terminal_id AND x.sequence = t.sequence))
        ORDER BY t.accepted_at, t.terminal_id, t.sequence
        LIMIT $2
       RETURNING accepted_at
     )
     SELECT count(*)::int AS taken, max(accepted_at) AS last FROM taken`,
    [from, limit],
  );
  // The statements after this one plan the batch's joins from its real size.
  await db.query(`ANALYZE ${BATCH}`);
  return { taken: rows[0]?.taken ?? 0, lastAcceptedAt: rows[0]?.last ?? null };
}

/**
 * Every writer of a card's shadow balance locks the card row first; the poster takes all of its
 * cards, in id order so two postings (or a posting and a transfer) cannot wait on each other
 * in a circle.
 */
export async function lockBatchCards(db: Queryable): Promise<void> {
  await db.query(
    `SELECT c.id FROM cards c
      WHERE c.id IN (SELECT card_id FROM ${BATCH} WHERE card_id IS NOT NULL)
      ORDER BY c.id
        FOR UPDATE OF c`,
  );
}

export interface Inserted {
  readonly debits: number;
  readonly fareRefunds: number;
  /** Cards (ids) that an entry of this posting left below zero. */
  readonly negativeCardIds: string[];
  readonly negativeCards: number;
}

/**
 * Appends the batch to each card's entries in the order the money moved on the card (when it
 * occurred, then terminal and sequence), numbering on from the card's last entry and carrying
 * the running balance. A record's amount is what left the purse, so the entry is its negation.
 */
export async function insertEntries(db: Queryable, sampleSize: number): Promise<Inserted> {
  const { rows } = await db.query<{
    debits: number;
    fare_refunds: number;
    negative: number;
    sample: string[] | null;
  }>(
    `WITH b AS (
       SELECT p.*, COALESCE(h.last_seq, 0) AS base_seq, COALESCE(h.balance, 0) AS base_balance
         FROM ${BATCH} p
         LEFT JOIN shadow_balance_heads h ON h.card_id = p.card_id
        WHERE p.card_id IS NOT NULL
     ), ordered AS (
       SELECT b.*, row_number() OVER w AS n, sum(b.amount) OVER w AS moved
         FROM b
       WINDOW w AS (PARTITION BY b.card_id ORDER BY b.occurred_at, b.terminal_id, b.sequence
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
     ), ins AS (
       INSERT INTO shadow_balance_entries
         (card_id, seq, kind, amount, balance_after, reference, at, terminal_id, sequence)
       SELECT card_id, base_seq + n,
              CASE WHEN amount > 0 THEN 'debit' ELSE 'fare_refund' END,
              -amount, base_balance - moved,
              'tx:' || terminal_id || ':' || sequence, accepted_at, terminal_id, sequence
         FROM ordered
       RETURNING card_id, kind, balance_after
     ), neg AS (
       SELECT DISTINCT card_id FROM ins WHERE balance_after < 0
     )
     SELECT (SELECT count(*) FROM ins WHERE kind = 'debit')::int AS debits,
            (SELECT count(*) FROM ins WHERE kind = 'fare_refund')::int AS fare_refunds,
            (SELECT count(*) FROM neg)::int AS negative,
            (SELECT array_agg(card_id::text ORDER BY card_id)
               FROM (SELECT card_id FROM neg ORDER BY card_id LIMIT $1) s) AS sample`,
    [sampleSize],
  );
  const r = rows[0];
  return {
    debits: r?.debits ?? 0,
    fareRefunds: r?.fare_refunds ?? 0,
    negativeCards: r?.negative ?? 0,
    negativeCardIds: r?.sample ?? [],
  };
}

/** Notes the batch's records whose card number issuance never gave out. */
export async function noteUnknownCards(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO shadow_posting_exceptions
       (terminal_id, sequence, card_number, amount, accepted_at, reason, noted_at)
     SELECT terminal_id, sequence, card_number, amount, accepted_at, 'unknown_card', now()
       FROM ${BATCH} WHERE card_id IS NULL`,
  );
  return rowCount ?? 0;
}

export async function advanceCursor(db: Queryable, acceptedThrough: Date | null): Promise<void> {
  await db.query(
    `UPDATE shadow_posting_cursor
        SET accepted_through = GREATEST(accepted_through, $1::timestamptz), updated_at = now()`,
    [acceptedThrough],
  );
}

export async function markSweep(db: Queryable): Promise<void> {
  await db.query('UPDATE shadow_posting_cursor SET last_sweep_at = now(), updated_at = now()');
}
