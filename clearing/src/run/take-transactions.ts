import type { Queryable } from '@citycard/core/db';
import { parseAmount } from '@citycard/core/money';
import type { TypeAggregate } from '../fees/fee.types.js';
import type { DiscountAggregate } from './inputs.types.js';

const money = (v: string): ReturnType<typeof parseAmount> =>
  parseAmount(v, { allowNegative: true });

export interface TakeWindow {
  readonly runId: string;
  readonly day: string;
  readonly cutoff: Date;
  /** Start of the business day: transactions that occurred before it are late. */
  readonly dayStart: Date;
}

/**
 * What identifies the transactions a run took: per terminal the multirange of its sequences, hashed
 * in terminal order. A gateway record never changes once stored, so its key stands for its content;
 * count and gross are hashed too, so a difference shows in the input hash before the output's.
 */
export interface TransactionKeys {
  readonly count: number;
  readonly terminals: number;
  readonly gross: string;
  /** sha256 (hex) of "terminal_id sequences\n" per terminal, in byte order of terminal_id. */
  readonly keys: string;
}

export interface TakenTransactions {
  /** The take read only records accepted at or after this instant; null: every record stored. */
  readonly floor: Date | null;
  readonly types: TypeAggregate[];
  readonly discounts: DiscountAggregate[];
  readonly keys: TransactionKeys;
}

interface TakeRow {
  terminals: number;
  taken: string;
  taken_gross: string;
  keys: string;
  operator_id: string | null;
  type: string;
  rider: string | null;
  n: number;
  chargeable: number;
  gross: string;
  late_n: number;
  late_gross: string;
  discount: string;
}

// Sequences are grouped in blocks of 2^10 so a block's keys follow from its count, bounds and sum.
// The gateway keeps statistics of these groups (its migration 0008_take_groups), which name the
// same expressions: the take's plan rests on them.
const BLOCK_BITS = 10;

/**
 * The day's transactions are read once and aggregated per operator, type, rider category,
 * terminal and block of sequences, into a temporary table: a statement that writes may not read in
 * parallel, this one may. The run's transaction is repeatable read, so the statement that keys
 * the blocks afterwards sees the same rows. Parameters: $1 cut-off, $2 day start, $3 floor.
 */
export const takeSql = (floored: boolean): string => `
CREATE TEMP TABLE run_take ON COMMIT DROP AS
  SELECT t.operator_id, t.type, t.fare->>'riderCategoryId' AS rider, t.terminal_id,
         t.sequence >> ${BLOCK_BITS} AS block, count(*) AS n,
         count(*) FILTER (WHERE t.amount > 0) AS chargeable, sum(t.amount) AS gross,
         count(*) FILTER (WHERE t.occurred_at < $2) AS late_n,
         sum(t.amount) FILTER (WHERE t.occurred_at < $2) AS late_gross,
         sum((t.fare->>'discount')::numeric) AS discount,
         min(t.sequence) AS lo, max(t.sequence) AS hi, sum(t.sequence) AS s1
    FROM gateway.accepted_transactions_contract t
    LEFT JOIN clearing.cleared_frontier f ON f.terminal_id = t.terminal_id
   WHERE t.accepted_at < $1 AND NOT COALESCE(f.sequences @> t.sequence, false)${
     floored ? ' AND (t.received_at >= $3 OR t.resolved_at >= $3)' : ''
   }
   GROUP BY 1, 2, 3, 4, 5`;

/**
 * A block whose count fills the sequences between its bounds outside the frontier took exactly
 * those; one short of them misses the one sequence their sum gives away; any other block (rare:
 * two records of one terminal quarantined within 1024 sequences) is read again by primary key.
 * The keys go to cleared_ranges, whose trigger refuses any sequence already cleared.
 */
const keysSql = (floored: boolean): string => `
WITH take AS MATERIALIZED (SELECT * FROM run_take), blocks AS (
  SELECT b.*, int8multirange(int8range(b.lo, b.hi + 1)) - COALESCE(f.sequences, '{}') AS free
    FROM (SELECT terminal_id, block, sum(n) AS n, min(lo) AS lo, max(hi) AS hi, sum(s1) AS s1
            FROM take GROUP BY terminal_id, block) b
    LEFT JOIN clearing.cleared_frontier f ON f.terminal_id = b.terminal_id
), sized AS (
  SELECT b.*, z.size, z.total
    FROM blocks b
    CROSS JOIN LATERAL (
      SELECT sum(upper(r) - lower(r)) AS size,
             sum((lower(r) + upper(r) - 1)::numeric * (upper(r) - lower(r)) / 2) AS total
        FROM unnest(b.free) AS r
    ) z
), solved AS (
  SELECT terminal_id, n, lo, hi, free,
         CASE WHEN size = n THEN free
              WHEN size = n + 1 THEN free - int8multirange(
                int8range((total - s1)::bigint, (total - s1)::bigint + 1))
         END AS taken
    FROM sized
), keyed AS (
  SELECT terminal_id, n, taken FROM solved WHERE taken IS NOT NULL
  UNION ALL
  SELECT s.terminal_id, s.n, again.taken
    FROM (SELECT * FROM solved WHERE taken IS NULL) s
    CROSS JOIN LATERAL (
      SELECT range_agg(int8range(t.sequence, t.sequence + 1)) AS taken
        FROM gateway.accepted_transactions_contract t
       WHERE t.terminal_id = s.terminal_id AND t.sequence BETWEEN s.lo AND s.hi
         AND t.accepted_at < $2 AND s.free @> t.sequence${floored ? ' AND t.accepted_at >= $3' : ''}
    ) again
), ins AS (
  INSERT INTO clearing.cleared_ranges (run_id, terminal_id, sequences, count)
  SELECT $1, terminal_id, range_agg(taken), sum(n) FROM keyed GROUP BY terminal_id
  RETURNING terminal_id, sequences, count
), digest AS (
  SELECT count(*)::int AS terminals, COALESCE(sum(count), 0)::text AS taken,
         encode(sha256(convert_to(COALESCE(string_agg(
           terminal_id || ' ' || sequences::text || E'\\n', '' ORDER BY terminal_id COLLATE "C"),
           ''), 'UTF8')), 'hex') AS keys
    FROM ins
), money AS (
  SELECT operator_id, type, rider, sum(n)::int AS n, sum(chargeable)::int AS chargeable,
         sum(gross)::numeric(18,2)::text AS gross, sum(late_n)::int AS late_n,
         COALESCE(sum(late_gross), 0)::numeric(18,2)::text AS late_gross,
         COALESCE(sum(discount), 0)::numeric(18,2)::text AS discount
    FROM take GROUP BY operator_id, type, rider
)
SELECT d.terminals, d.taken, d.keys,
       (SELECT COALESCE(sum(gross), 0)::numeric(18,2)::text FROM take) AS taken_gross, m.*
  FROM digest d LEFT JOIN money m ON true`;

/**
 * The planner cannot tell the take's groups are few (a handful per 1024 sequences): past ~10M
 * rows it estimates a hash table beyond work_mem and sorts every row on five keys instead, ten
 * times slower. Hash aggregation spills to disk when it must, so memory stays bounded either way.
 * Expecting as many groups as rows, it also prices handing the rows of a parallel scan to the
 * aggregating process above reading them alone; the scan and the filter are most of that work.
 */
export async function withTakeSettings<T>(db: Queryable, fn: () => Promise<T>): Promise<T> {
  const { rows } = await db.query<{ sort: string; tuple: string }>(
    `SELECT current_setting('enable_sort') AS sort,
            current_setting('parallel_tuple_cost') AS tuple`,
  );
  const set = (sort: string, tuple: string) =>
    db.query(
      `SELECT set_config('enable_sort', $1, true), set_config('parallel_tuple_cost', $2, true)`,
      [sort, tuple],
    );
  await set('off', '0.0001');
  const result = await fn();
  await set(rows[0]?.sort ?? 'on', rows[0]?.tuple ?? '0.1');
  return result;
}

/**
 * How long before it is committed a gateway record may carry its accepted_at stamp. The gateway
 * stamps a record as it decides it and writes it in one statement, which its connections stop
 * after a minute (the gateway service's statementTimeoutMs); the rest of the hour is room for the
 * clocks of the gateway's hosts to differ. A record committed later than this is never taken: the
 * gateway's own rule, not something a run can see.
 */
export const TAKE_LOOKBACK_MINUTES = 60;

/**
 * Where the take may start reading. A run took every record committed by its snapshot and
 * accepted before its cut-off, and it ran after that cut-off; so every record accepted before the
 * latest earlier run's cut-off, less the look-back, is cleared already — unless it is one this
 * run's own rerun just freed, which the superseded run read from its own floor. Null (read
 * everything) for the first run, or when a superseded run of the day read everything.
 */
const FLOOR_SQL = `
WITH prior AS (
  SELECT max(cutoff) AS cutoff FROM clearing.runs WHERE status <> 'superseded' AND cutoff < $1
), replaced AS (
  SELECT count(*) AS n, count(take_floor) AS floored, min(take_floor) AS floor
    FROM clearing.runs WHERE business_day = $2::date AND status = 'superseded'
)
SELECT CASE WHEN p.cutoff IS NULL OR r.n > r.floored THEN NULL
            ELSE LEAST(p.cutoff - $3::interval, r.floor) END AS floor
  FROM prior p, replaced r`;

async function takeFloor(db: Queryable, w: TakeWindow): Promise<Date | null> {
  const { rows } = await db.query<{ floor: Date | null }>(FLOOR_SQL, [
    w.cutoff,
    w.day,
    `${TAKE_LOOKBACK_MINUTES} minutes`,
  ]);
  return rows[0]?.floor ?? null;
}

/**
 * Takes every accepted transaction received before the cut-off and not cleared yet, for this
 * run: its keys into cleared_ranges (exactly once across runs), its amounts aggregated per
 * operator, type and rider category. It reads only the records accepted since the last run's
 * cut-off (less the look-back), so a night costs the days since the last run, not the history.
 */
export async function takeTransactions(db: Queryable, w: TakeWindow): Promise<TakenTransactions> {
  const floor = await takeFloor(db, w);
  const floored = floor !== null;
  const from = floored ? [floor] : [];
  const { rows } = await withTakeSettings(db, async () => {
    await db.query(takeSql(floored), [w.cutoff, w.dayStart, ...from]);
    const keyed = await db.query<TakeRow>(keysSql(floored), [w.runId, w.cutoff, ...from]);
    await db.query('DROP TABLE run_take');
    return keyed;
  });
  const head = rows[0];
  if (head === undefined) throw new Error('the take statement returned no row');
  const groups = rows.filter((r): r is TakeRow & { operator_id: string } => r.operator_id !== null);
  return {
    floor,
    types: groups.map((r) => ({
      operatorId: r.operator_id,
      type: r.type,
      count: r.n,
      chargeableCount: r.chargeable,
      gross: money(r.gross),
      lateCount: r.late_n,
      lateGross: money(r.late_gross),
    })),
    discounts: groups
      .filter((r): r is typeof r & { rider: string } => r.rider !== null)
      .map((r) => ({
        operatorId: r.operator_id,
        riderCategoryId: r.rider,
        count: r.n,
        discount: money(r.discount),
      })),
    keys: {
      count: Number(head.taken),
      terminals: head.terminals,
      gross: money(head.taken_gross).toString(),
      keys: head.keys,
    },
  };
}
