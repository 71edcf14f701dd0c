import type { Queryable } from '@citycard/core/db';
import { Amount, parseAmount } from '@citycard/core/money';
import { ACCOUNTS } from '../ledger/accounts.js';
import { accountBalance } from '../ledger/journal.js';
import type { FloatCheck, FloatCheckDetail, FloatTally } from './run.types.js';

const money = (v: string | null | undefined): Amount =>
  parseAmount(v ?? '0.00', { allowNegative: true });

interface CutRow {
  cut: Date;
  cleared_gross: string;
  terminal_seen: string;
  loads_seen: string;
  other_seen: string;
  terminal_pending_n: string;
  terminal_pending: string;
  loads_pending_n: string;
  loads_pending: string;
  after_cut_n: string;
  after_cut: string;
  corrections_n: string;
  corrections: string;
}

const sumWhere = (condition: string): string =>
  `COALESCE(sum(amount) FILTER (WHERE ${condition}), 0)::numeric(18,2)::text`;
const NOT_TIMED = "'terminal', 'load', 'correction'";

/**
 * The shadow entries the ledger has seen, against the card float after the run. The ledger has
 * seen a terminal entry (a debit, or a fare refund) once its gateway record is cleared by a run on
 * the books, a load once clearing
 * took it, and a refund or transfer up to the latest cut-off on the books (clearing takes counter
 * cash by time). Corrections never reach the ledger. The card debits the ledger holds are its
 * card_transactions postings (reversals included).
 */
const CUT_SQL = `
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
  SELECT CASE WHEN s.terminal_id IS NOT NULL THEN 'terminal' ELSE s.kind END AS kind, s.amount,
         CASE
           WHEN s.terminal_id IS NOT NULL THEN COALESCE(f.sequences @> s.sequence, false)
           WHEN s.kind = 'load' THEN l.load_id IS NOT NULL
           WHEN s.kind = 'correction' THEN false
           ELSE s.at < (SELECT at FROM cut)
         END AS seen
    FROM issuance.shadow_entry_contract s
    LEFT JOIN clearing.cleared_frontier f ON f.terminal_id = s.terminal_id
    LEFT JOIN clearing.cleared_loads l
      ON s.kind = 'load' AND s.reference = 'load:' || l.load_id::text
)
SELECT (SELECT at FROM cut) AS cut,
       (SELECT gross FROM cleared)::numeric(18,2)::text AS cleared_gross,
       ${sumWhere("seen AND kind = 'terminal'")} AS terminal_seen,
       ${sumWhere("seen AND kind = 'load'")} AS loads_seen,
       ${sumWhere("seen AND kind NOT IN ('terminal', 'load')")} AS other_seen,
       count(*) FILTER (WHERE NOT seen AND kind = 'terminal') AS terminal_pending_n,
       ${sumWhere("NOT seen AND kind = 'terminal'")} AS terminal_pending,
       count(*) FILTER (WHERE NOT seen AND kind = 'load') AS loads_pending_n,
       ${sumWhere("NOT seen AND kind = 'load'")} AS loads_pending,
       count(*) FILTER (WHERE NOT seen AND kind NOT IN (${NOT_TIMED})) AS after_cut_n,
       ${sumWhere(`NOT seen AND kind NOT IN (${NOT_TIMED})`)} AS after_cut,
       count(*) FILTER (WHERE kind = 'correction') AS corrections_n,
       ${sumWhere("kind = 'correction'")} AS corrections
  FROM entries`;

const tally = (n: string, amount: string): FloatTally => ({
  count: Number(n),
  amount: money(amount),
});

/**
 * The float check over a consistent cut: the card float liability after the run against Σ shadow
 * entries the ledger has seen. Their difference is expected to be minus the cleared transactions
 * issuance has not posted to the shadow yet; whatever else remains is unexplained, and only then does
 * the check fail. Entries outside the cut are reported beside it.
 */
export async function floatCheck(tx: Queryable, cutoff: Date): Promise<FloatCheck> {
  const ledgerFloat = (await accountBalance(tx, ACCOUNTS.cardFloat)).neg();
  if (!(await hasShadowEntries(tx))) return balancesCheck(tx, ledgerFloat);
  const { rows } = await tx.query<CutRow>(CUT_SQL, [cutoff, ACCOUNTS.cardFloat]);
  const r = rows[0];
  if (r === undefined) throw new Error('the float check returned no row');
  const inCut = {
    terminal: money(r.terminal_seen),
    loads: money(r.loads_seen),
    other: money(r.other_seen),
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
      terminalNotCleared: tally(r.terminal_pending_n, r.terminal_pending),
      loadsNotCleared: tally(r.loads_pending_n, r.loads_pending),
      afterCut: tally(r.after_cut_n, r.after_cut),
      corrections: tally(r.corrections_n, r.corrections),
    },
  };
  return { ledgerFloat, shadowTotal, difference, ok: unexplained.isZero(), detail };
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
