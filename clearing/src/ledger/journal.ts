import type { Queryable } from '@citycard/core/db';
import { Amount, parseAmount } from '@citycard/core/money';
import { assertBalanced } from './balance.js';
import type { AccountBalance, AccountKind, EntryInput } from './ledger.types.js';

/**
 * Writes entries and their postings in two statements. Each entry is checked here first; the
 * database checks again at commit (journal_entry_balances), whoever the writer is.
 */
export async function postEntries(db: Queryable, entries: readonly EntryInput[]): Promise<void> {
  if (entries.length === 0) return;
  entries.forEach(assertBalanced);
  await db.query(
    `INSERT INTO clearing.journal_entries
       (id, run_id, kind, business_day, description, reverses, created_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::text[], $6::uuid[],
                          $7::timestamptz[])`,
    [
      entries.map((e) => e.id),
      entries.map((e) => e.runId),
      entries.map((e) => e.kind),
      entries.map((e) => e.day),
      entries.map((e) => e.description),
      entries.map((e) => e.reverses ?? null),
      entries.map((e) => e.createdAt),
    ],
  );
  const rows = entries.flatMap((e) => e.postings.map((p) => ({ entry: e.id, ...p })));
  await db.query(
    `INSERT INTO clearing.postings (entry_id, account_code, amount)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::numeric[])`,
    [rows.map((r) => r.entry), rows.map((r) => r.account), rows.map((r) => r.amount.toString())],
  );
}

/**
 * Reverses every entry of `runId` not reversed yet, as entries of the same run and day: the
 * ledger keeps both, and the run nets to nothing. Returns how many postings were written.
 */
export async function reverseRunEntries(db: Queryable, runId: string, now: Date): Promise<number> {
  const { rowCount } = await db.query(
    `WITH src AS (
       SELECT e.id, e.business_day, e.description FROM clearing.journal_entries e
        WHERE e.run_id = $1 AND e.kind <> 'reversal'
          AND NOT EXISTS (SELECT 1 FROM clearing.journal_entries r WHERE r.reverses = e.id)
     ), ins AS (
       INSERT INTO clearing.journal_entries
         (id, run_id, kind, business_day, description, reverses, created_at)
       SELECT gen_random_uuid(), $1, 'reversal', business_day,
              left('Reversal: ' || description, 300), id, $2
         FROM src
       RETURNING id, reverses
     )
     INSERT INTO clearing.postings (entry_id, account_code, amount)
     SELECT ins.id, p.account_code, -p.amount
       FROM ins JOIN clearing.postings p ON p.entry_id = ins.reverses`,
    [runId, now],
  );
  return rowCount ?? 0;
}

interface BalanceRow {
  code: string;
  kind: AccountKind;
  balance: string;
}

export async function accountBalances(
  db: Queryable,
  codes?: readonly string[],
): Promise<AccountBalance[]> {
  const { rows } = await db.query<BalanceRow>(
    `SELECT code, kind, balance::text AS balance FROM clearing.account_balances
      WHERE $1::text[] IS NULL OR code = ANY($1::text[]) ORDER BY code`,
    [codes ?? null],
  );
  return rows.map((r) => ({
    code: r.code,
    kind: r.kind,
    balance: parseAmount(r.balance, { allowNegative: true }),
  }));
}

export async function accountBalance(db: Queryable, code: string): Promise<Amount> {
  const [row] = await accountBalances(db, [code]);
  return row?.balance ?? Amount.zero;
}

/** Σ postings of a run's entries and the most unbalanced entry's sum (both zero when sound). */
export async function runPostingTotals(
  db: Queryable,
  runId: string,
): Promise<{ total: Amount; entries: number; unbalanced: number }> {
  const { rows } = await db.query<{ total: string; entries: string; unbalanced: string }>(
    `SELECT COALESCE(sum(s), 0)::numeric(18,2)::text AS total, count(*)::text AS entries,
            count(*) FILTER (WHERE s <> 0)::text AS unbalanced
       FROM (SELECT sum(p.amount) AS s FROM clearing.journal_entries e
               JOIN clearing.postings p ON p.entry_id = e.id
              WHERE e.run_id = $1 GROUP BY e.id) t`,
    [runId],
  );
  const row = rows[0];
  return {
    total: parseAmount(row?.total ?? '0.00', { allowNegative: true }),
    entries: Number(row?.entries ?? 0),
    unbalanced: Number(row?.unbalanced ?? 0),
  };
}
