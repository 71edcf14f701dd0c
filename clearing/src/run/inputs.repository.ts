import type { Queryable } from '@citycard/core/db';
import { parseAmount } from '@citycard/core/money';
import type { InputDigest } from './hash.js';
import type {
  AdjustmentAggregate,
  CashAggregate,
  CashCategory,
  LoadAggregate,
} from './inputs.types.js';

/** Two 60-bit slices of a row's md5, summed: see InputDigest. */
const digestColumns = (row: string): string =>
  `count(*)::int AS n,
   COALESCE(sum(('x' || substr(md5(${row}), 1, 15))::bit(60)::bigint), 0)::text AS h1,
   COALESCE(sum(('x' || substr(md5(${row}), 16, 15))::bit(60)::bigint), 0)::text AS h2`;

const money = (v: string): ReturnType<typeof parseAmount> =>
  parseAmount(v, { allowNegative: true });

interface Window {
  readonly runId: string;
  readonly cutoff: Date;
  /**
   * Where the take reads from; null: everything. Otherwise what is stamped from `floor` on, and
   * whatever the earlier runs' snapshots in `unseen` (text) could not see.
   */
  readonly from: { readonly floor: Date; readonly unseen: readonly string[] } | null;
}

/** The take's parameters: $1 the run, $2 the cut-off; from a floor, $3 the floor, $4 snapshots. */
const params = (w: Window): unknown[] => [
  w.runId,
  w.cutoff,
  ...(w.from === null ? [] : [w.from.floor, w.from.unseen]),
];

/**
 * Rows written by a transaction that one of the snapshots in $4 could not see: an index range on
 * the writing transaction from the oldest snapshot's xmin, then the exact test per row.
 */
const unseenBy = (xact: string): string =>
  `${xact} >= (SELECT min(pg_snapshot_xmin(s)) FROM unnest($4::pg_snapshot[]) s)
   AND EXISTS (SELECT 1 FROM unnest($4::pg_snapshot[]) s WHERE NOT pg_visible_in_snapshot(${xact}, s))`;

/**
 * The snapshots whose unseen loads and cash a run reads: the previous run's (the one with the
 * latest earlier cut-off, as for the floor) and those the runs it supersedes read, whose rows it
 * frees, each once. Runs made before the snapshots were kept add none.
 *
 * Why nothing is missed: a run takes every uncleared row stamped before its cut-off that its own
 * snapshot sees and that is stamped from its floor on or unseen by those snapshots. So after the
 * previous run, every row its snapshot saw and stamped before its cut-off is cleared; a row not
 * cleared now was either unseen by it, or stamped after its cut-off, which is above the floor.
 */
export async function unseenSince(db: Queryable, cutoff: Date, day: string): Promise<string[]> {
  const { rows } = await db.query<{ since: string[] }>(
    `SELECT COALESCE(array_agg(DISTINCT s::text), '{}') AS since FROM (
       (SELECT take_snapshot AS s FROM clearing.runs
         WHERE status <> 'superseded' AND cutoff < $1 ORDER BY cutoff DESC LIMIT 1)
       UNION ALL
       SELECT unnest(take_since) FROM clearing.runs
        WHERE business_day = $2::date AND status = 'superseded'
     ) x WHERE s IS NOT NULL`,
    [cutoff, day],
  );
  return rows[0]?.since ?? [];
}

/**
 * `key` among the ids `candidates` selects, gathered first into an array: the rows are then read
 * by primary key, and each checked against what is cleared by an index probe. Left to the
 * planner's estimates, a filter on an expression (a load's status) or stale statistics of a
 * growing table led it to read every row ever written, or every cleared row, instead.
 */
const among = (key: string, candidates: string): string => `${key} = ANY (ARRAY(${candidates}))`;

/**
 * The ids of `view` a take from a floor reads: those stamped (`stamp`) from the floor on, and
 * those written unseen by the earlier snapshots; each also meeting `bound` when given.
 */
const sinceFloor = (view: string, id: string, stamp: string, bound = ''): string =>
  `SELECT c.${id} FROM ${view} c WHERE c.${stamp} >= $3${bound}
   UNION
   SELECT c.${id} FROM ${view} c WHERE ${unseenBy('c.xact')}${bound}`;

function sumDigests(rows: readonly { n: number; h1: string; h2: string }[]): InputDigest {
  return {
    count: rows.reduce((n, r) => n + r.n, 0),
    h1: rows.reduce((s, r) => s + BigInt(r.h1), 0n).toString(),
    h2: rows.reduce((s, r) => s + BigInt(r.h2), 0n).toString(),
  };
}

interface CashRow {
  branch_id: string;
  category: CashCategory;
  amount: string;
  n: number;
  h1: string;
  h2: string;
}

/**
 * A take's statement over the rows `due` selects (columns as the aggregate reads them): those rows
 * are read once, into a materialised set, then marked cleared by `mark` and summed by `sum` from
 * that same set. A view over issuance's tables is evaluated once per row, not once to choose the
 * rows and again to sum them.
 */
const takeOnce = (due: string, mark: string, sum: string): string =>
  `WITH due AS MATERIALIZED (${due}),
        marked AS (${mark})
   ${sum}`;

/**
 * Takes the cash movements made before the cut-off and not cleared yet, by branch and purpose:
 * those made from the floor on, or written unseen by the earlier snapshots (cash_movements is
 * indexed by instant and by writing transaction).
 */
export async function takeCash(
  db: Queryable,
  w: Window,
): Promise<{ cash: CashAggregate[]; digest: InputDigest }> {
  const row = `m.id::text || '/' || m.kind || '/' || m.reference_type || '/' || m.amount::text`;
  const { rows } = await db.query<CashRow>(
    takeOnce(
      `SELECT m.id, m.branch_id, m.kind, m.reference_type, m.amount
         FROM issuance.cash_movements_contract m
        WHERE ${
          w.from === null
            ? 'm.occurred_at < $2'
            : among(
                'm.id',
                sinceFloor(
                  'issuance.cash_movements_contract',
                  'id',
                  'occurred_at',
                  ' AND c.occurred_at < $2',
                ),
              )
        }
          AND NOT EXISTS (SELECT 1 FROM clearing.cleared_cash_movements x WHERE x.movement_id = m.id)`,
      `INSERT INTO clearing.cleared_cash_movements (movement_id, run_id) SELECT id, $1 FROM due`,
      `SELECT m.branch_id::text AS branch_id,
              CASE
                WHEN m.kind = 'top_up_cash' THEN 'top_up_cash'
                WHEN m.kind = 'balance_refunded' AND m.reference_type = 'load' THEN 'load_refund'
                WHEN m.kind = 'balance_refunded' THEN 'card_refund'
                WHEN m.kind IN ('deposit_taken', 'deposit_refunded') THEN m.kind
                ELSE 'other'
              END AS category,
              sum(m.amount)::numeric(18,2)::text AS amount, ${digestColumns(row)}
         FROM due m
        GROUP BY 1, 2`,
    ),
    params(w),
  );
  return {
    cash: rows.map((r) => ({
      branchId: r.branch_id,
      category: r.category,
      count: r.n,
      amount: money(r.amount),
    })),
    digest: sumDigests(rows),
  };
}

/**
 * The loads take's statement: $1 the run, $2 the cut-off; when `floored`, $3 the floor and $4 the
 * snapshots whose unseen confirmations it reads. Its plan is tested on its own.
 */
export const takeLoadsSql = (floored: boolean): string =>
  takeOnce(
    `SELECT l.load_id, l.amount FROM issuance.top_ups_confirmed_contract l
      WHERE l.confirmed_at < $2${
        floored
          ? ' AND ' +
            among(
              'l.load_id',
              sinceFloor('issuance.load_confirmations_contract', 'load_id', 'confirmed_at'),
            )
          : ''
      }
        AND NOT EXISTS (SELECT 1 FROM clearing.cleared_loads x WHERE x.load_id = l.load_id)`,
    `INSERT INTO clearing.cleared_loads (load_id, run_id) SELECT load_id, $1 FROM due`,
    `SELECT COALESCE(sum(l.amount), 0)::numeric(18,2)::text AS amount,
            ${digestColumns(`l.load_id::text || '/' || l.amount::text`)}
       FROM due l`,
  );

/**
 * Takes the loads confirmed on cards before the cut-off and not cleared yet: those with a
 * confirmation from the floor on, or written unseen by the earlier snapshots, looked up by instant
 * and by writing transaction before the load's own row is read.
 */
export async function takeLoads(
  db: Queryable,
  w: Window,
): Promise<{ loads: LoadAggregate; digest: InputDigest }> {
  const { rows } = await db.query<{ amount: string; n: number; h1: string; h2: string }>(
    takeLoadsSql(w.from !== null),
    params(w),
  );
  const r = rows[0] ?? { amount: '0.00', n: 0, h1: '0', h2: '0' };
  return { loads: { count: r.n, amount: money(r.amount) }, digest: sumDigests([r]) };
}

/** Takes every adjustment written before the cut-off or the run and not picked up yet. */
export async function takeAdjustments(
  db: Queryable,
  runId: string,
  before: Date,
): Promise<{ adjustments: AdjustmentAggregate[]; digest: InputDigest }> {
  const { rows } = await db.query<{
    operator_id: string;
    amount: string;
    n: number;
    h1: string;
    h2: string;
  }>(
    `WITH taken AS (
       INSERT INTO clearing.cleared_adjustments (adjustment_id, run_id)
       SELECT a.id, $1 FROM clearing.adjustments a
        WHERE a.created_at <= $2
          AND NOT EXISTS (SELECT 1 FROM clearing.cleared_adjustments x WHERE x.adjustment_id = a.id)
       RETURNING adjustment_id
     )
     SELECT a.operator_id, sum(a.amount)::numeric(18,2)::text AS amount,
            ${digestColumns(`a.id::text || '/' || a.operator_id || '/' || a.amount::text`)}
       FROM taken JOIN clearing.adjustments a ON a.id = taken.adjustment_id
      GROUP BY a.operator_id`,
    [runId, before],
  );
  return {
    adjustments: rows.map((r) => ({
      operatorId: r.operator_id,
      count: r.n,
      amount: money(r.amount),
    })),
    digest: sumDigests(rows),
  };
}
