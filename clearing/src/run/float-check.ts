import type { Queryable } from '@citycard/core/db';
import { Amount, parseAmount } from '@citycard/core/money';
import { ACCOUNTS } from '../ledger/accounts.js';
import { accountBalance } from '../ledger/journal.js';
import type { FloatCheck, FloatCheckDetail, FloatTally } from './run.types.js';

const money = (v: string | null | undefined): Amount =>
  parseAmount(v ?? '0.00', { allowNegative: true });

/** How the check groups shadow entries: by what makes the ledger see one. */
export type EntryClass = 'terminal' | 'load' | 'correction' | 'other';
const CLASSES: readonly EntryClass[] = ['terminal', 'load', 'correction', 'other'];

export interface ClassTotal {
  /** Decimal strings: counts and amounts never pass through a float. */
  readonly n: string;
  readonly amount: string;
}

/**
 * Σ of every shadow entry by class, as a run's snapshot saw them. The next run adds only the
 * entries that snapshot did not see, so the check does not read the whole history each night.
 */
export interface FloatCarry {
  /** pg_snapshot as text. */
  readonly snapshot: string;
  readonly totals: Readonly<Record<EntryClass, ClassTotal>>;
}

const CLASS_OF = `CASE WHEN s.terminal_id IS NOT NULL THEN 'terminal'
                       WHEN s.kind IN ('load', 'correction') THEN s.kind ELSE 'other' END`;

/**
 * Σ every entry by class now: the latest carry plus what its snapshot did not see (by the
 * entries' transaction ids, an index range from the snapshot's xmin), or every entry when no run
 * carried totals yet. Returned with this snapshot, as the next run's carry.
 */
const TOTALS_SQL = (carried: boolean) => `
SELECT ${CLASS_OF} AS class, count(*)::text AS n,
       COALESCE(sum(s.amount), 0)::numeric(18,2)::text AS amount
  FROM issuance.shadow_entry_contract s
 ${
   carried
     ? `WHERE s.xact >= pg_snapshot_xmin($1::pg_snapshot)
          AND NOT pg_visible_in_snapshot(s.xact, $1::pg_snapshot)`
     : ''
 }
 GROUP BY 1`;

const LATEST_CARRY_SQL = `
SELECT float_snapshot::text AS snapshot, float_totals AS totals
  FROM clearing.runs WHERE float_snapshot IS NOT NULL
 ORDER BY pg_snapshot_xmax(float_snapshot) DESC LIMIT 1`;

interface RecentRow {
  cut: Date;
  cleared_gross: string;
  terminal_unseen_n: string;
  terminal_unseen: string;
  loads_unseen_n: string;
  loads_unseen: string;
  other_unseen_n: string;
  other_unseen: string;
}

const sumWhere = (condition: string): string =>
  `COALESCE(sum(amount) FILTER (WHERE ${condition}), 0)::numeric(18,2)::text`;

/**
 * The shadow entries the ledger has not seen, against the card float after the run. The ledger
 * has seen a terminal entry (a debit, or a fare refund) once its gateway record is cleared by a
 * run on the books, a load once clearing took it, and a refund or transfer up to the latest
 * cut-off on the books (clearing takes counter cash by time). Corrections never reach the ledger.
 * The card debits the ledger holds are its card_transactions postings (reversals included).
 *
 * Only entries from the take's floor on are read: an entry before it is seen. Its record was
 * cleared by an earlier run (the take's rule), its load taken by an earlier run or by this one
 * (a load is taken by its confirmation's instant or, committed after an earlier run's snapshot,
 * by its writing transaction); its refund or transfer is before the cut.
 */
const recentSql = (floored: boolean) => `
WITH cut AS (
  SELECT GREATEST($1::timestamptz,
                  (SELECT max(cutoff) FROM clearing.runs WHERE status <> 'superseded')) AS at
), cleared AS (
  SELECT COALESCE(sum(p.amount), 0) AS gross
    FROM clearing.postings p
    JOIN clearing.journal_entries e ON e.id = p.entry_id
    LEFT JOIN clearing.journal_entries o ON o.id = e.reverses
   WHERE p.account_code = $2
     AND (e.kind = 'card_transactions' OR o.kind = 'card_transactions')
), entries AS (
  SELECT ${CLASS_OF} AS class, s.amount,
         CASE
           WHEN s.terminal_id IS NOT NULL THEN COALESCE(f.sequences @> s.sequence, false)
           WHEN s.kind = 'load' THEN l.load_id IS NOT NULL
           ELSE s.at < (SELECT at FROM cut)
         END AS seen
    FROM issuance.shadow_entry_contract s
    LEFT JOIN clearing.cleared_frontier f ON f.terminal_id = s.terminal_id
    LEFT JOIN clearing.cleared_loads l
      ON s.kind = 'load' AND s.reference = 'load:' || l.load_id::text
   WHERE s.kind <> 'correction'${floored ? ' AND s.at >= $3' : ''}
)
SELECT (SELECT at FROM cut) AS cut,
       (SELECT gross FROM cleared)::numeric(18,2)::text AS cleared_gross,
       count(*) FILTER (WHERE NOT seen AND class = 'terminal') AS terminal_unseen_n,
       ${sumWhere("NOT seen AND class = 'terminal'")} AS terminal_unseen,
       count(*) FILTER (WHERE NOT seen AND class = 'load') AS loads_unseen_n,
       ${sumWhere("NOT seen AND class = 'load'")} AS loads_unseen,
       count(*) FILTER (WHERE NOT seen AND class = 'other') AS other_unseen_n,
       ${sumWhere("NOT seen AND class = 'other'")} AS other_unseen
  FROM entries`;

const tally = (n: string, amount: string): FloatTally => ({
  count: Number(n),
  amount: money(amount),
});

export interface FloatCheckResult {
  readonly check: FloatCheck;
  /** What the next run carries from this one; null without issuance's shadow entries. */
  readonly carry: FloatCarry | null;
}

/**
 * The float check over a consistent cut: the card float liability after the run against Σ shadow
 * entries the ledger has seen. Their difference is expected to be minus the cleared transactions
 * issuance has not posted to the shadow yet; whatever else remains is unexplained, and only then does
 * the check fail. Entries outside the cut are reported beside it. It reads the entries made since
 * the latest carried snapshot and those from `floor` on (the take's), not the whole history.
 */
export async function floatCheck(
  tx: Queryable,
  cutoff: Date,
  floor: Date | null = null,
): Promise<FloatCheckResult> {
  const ledgerFloat = (await accountBalance(tx, ACCOUNTS.cardFloat)).neg();
  if (!(await hasShadowEntries(tx))) {
    return { check: await balancesCheck(tx, ledgerFloat), carry: null };
  }
  const carry = await entryTotals(tx);
  const { rows } = await tx.query<RecentRow>(recentSql(floor !== null), [
    cutoff,
    ACCOUNTS.cardFloat,
    ...(floor === null ? [] : [floor]),
  ]);
  const r = rows[0];
  if (r === undefined) throw new Error('the float check returned no row');
  const total = (c: EntryClass) => money(carry.totals[c].amount);
  const unseen = {
    terminal: tally(r.terminal_unseen_n, r.terminal_unseen),
    loads: tally(r.loads_unseen_n, r.loads_unseen),
    other: tally(r.other_unseen_n, r.other_unseen),
  };
  const inCut = {
    terminal: total('terminal').sub(unseen.terminal.amount),
    loads: total('load').sub(unseen.loads.amount),
    other: total('other').sub(unseen.other.amount),
  };
  const shadowTotal = inCut.terminal.add(inCut.loads).add(inCut.other);
  const difference = ledgerFloat.sub(shadowTotal);
  // A terminal entry is the record's amount with the purse's sign: −amount.
  const clearedGross = money(r.cleared_gross);
  const clearedNotShadowPosted = clearedGross.add(inCut.terminal);
  const unexplained = difference.add(clearedNotShadowPosted);
  const detail: FloatCheckDetail = {
    source: 'entries',
    cut: r.cut,
    inCut,
    clearedGross,
    clearedNotShadowPosted,
    unexplained,
    outsideCut: {
      terminalNotCleared: unseen.terminal,
      loadsNotCleared: unseen.loads,
      afterCut: unseen.other,
      corrections: tally(carry.totals.correction.n, carry.totals.correction.amount),
    },
  };
  return {
    check: { ledgerFloat, shadowTotal, difference, ok: unexplained.isZero(), detail },
    carry,
  };
}

/** Σ every shadow entry by class in this snapshot, from the latest carry on. */
async function entryTotals(tx: Queryable): Promise<FloatCarry> {
  const { rows: latest } = await tx.query<{ snapshot: string; totals: FloatCarry['totals'] }>(
    LATEST_CARRY_SQL,
  );
  const base = latest[0];
  const { rows } = await tx.query<{ class: EntryClass; n: string; amount: string }>(
    TOTALS_SQL(base !== undefined),
    base === undefined ? [] : [base.snapshot],
  );
  const { rows: now } = await tx.query<{ snapshot: string }>(
    'SELECT pg_current_snapshot()::text AS snapshot',
  );
  const totals = {} as Record<EntryClass, ClassTotal>;
  for (const c of CLASSES) {
    const before = base?.totals[c] ?? { n: '0', amount: '0.00' };
    const added = rows.find((x) => x.class === c) ?? { n: '0', amount: '0.00' };
    totals[c] = {
      n: (BigInt(before.n) + BigInt(added.n)).toString(),
      amount: money(before.amount).add(money(added.amount)).toString(),
    };
  }
  return { snapshot: now[0]?.snapshot ?? '', totals };
}

async function hasShadowEntries(tx: Queryable): Promise<boolean> {
  const { rows } = await tx.query<{ found: boolean }>(
    `SELECT to_regclass('issuance.shadow_entry_contract') IS NOT NULL AS found`,
  );
  return rows[0]?.found === true;
}

/** Without issuance's entry contract: the whole float against Σ shadow balances, as before. */
async function balancesCheck(tx: Queryable, ledgerFloat: Amount): Promise<FloatCheck> {
  const { rows } = await tx.query<{ total: string }>(
    `SELECT COALESCE(sum(balance), 0)::numeric(18,2)::text AS total
       FROM issuance.shadow_balance_contract`,
  );
  const shadowTotal = money(rows[0]?.total);
  const difference = ledgerFloat.sub(shadowTotal);
  return { ledgerFloat, shadowTotal, difference, ok: difference.eq(Amount.zero), detail: null };
}
