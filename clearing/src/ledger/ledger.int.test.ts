import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@citycard/core/db';
import { parseAmount } from '@citycard/core/money';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';
import { accountBalance, postEntries, reverseRunEntries, runPostingTotals } from './journal.js';

const a = (s: string) => parseAmount(s, { allowNegative: true });
let t: ClearingTestDb;

beforeAll(async () => {
  t = await createClearingTestDb();
});
afterAll(async () => {
  await t.close();
});

async function rawEntry(amounts: readonly string[]): Promise<string> {
  const id = randomUUID();
  await withTransaction(t.pool, async (tx) => {
    await tx.query(
      `INSERT INTO journal_entries (id, kind, business_day, description, created_at)
       VALUES ($1, 'test', '2026-05-04', 'raw', now())`,
      [id],
    );
    for (const [i, amount] of amounts.entries()) {
      const account = i % 2 === 0 ? 'card_float' : 'suspense';
      await tx.query('INSERT INTO postings (entry_id, account_code, amount) VALUES ($1, $2, $3)', [
        id,
        account,
        amount,
      ]);
    }
  });
  return id;
}

describe('ledger in PostgreSQL', () => {
  it('refuses an unbalanced entry at commit, whoever writes it', async () => {
    await expect(rawEntry(['10.00', '-9.99'])).rejects.toMatchObject({
      constraint: 'journal_entry_balanced',
    });
    await expect(rawEntry(['10.00'])).rejects.toMatchObject({
      constraint: 'journal_entry_balanced',
    });
    await expect(rawEntry([])).rejects.toMatchObject({ constraint: 'journal_entry_balanced' });
    const id = await rawEntry(['10.00', '-4.00', '0.01', '-6.01']);
    const { rows } = await t.pool.query(
      'SELECT count(*)::int AS n FROM postings WHERE entry_id = $1',
      [id],
    );
    expect(rows[0]).toEqual({ n: 4 });
  });

  it('lets a transaction post its lines one by one: the check waits for commit', async () => {
    const id = randomUUID();
    await withTransaction(t.pool, async (tx) => {
      await tx.query(
        `INSERT INTO journal_entries (id, kind, business_day, description, created_at)
         VALUES ($1, 'test', '2026-05-04', 'stepwise', now())`,
        [id],
      );
      await tx.query(
        `INSERT INTO postings (entry_id, account_code, amount) VALUES ($1, 'suspense', 5)`,
        [id],
      );
      await tx.query(
        `INSERT INTO postings (entry_id, account_code, amount) VALUES ($1, 'card_float', -5)`,
        [id],
      );
    });
  });

  it('refuses UPDATE and DELETE of postings and entries', async () => {
    const id = await rawEntry(['1.00', '-1.00']);
    await expect(
      t.pool.query('UPDATE postings SET amount = 2 WHERE entry_id = $1', [id]),
    ).rejects.toThrow(/append-only/);
    await expect(t.pool.query('DELETE FROM postings WHERE entry_id = $1', [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(t.pool.query('DELETE FROM journal_entries WHERE id = $1', [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(t.pool.query('TRUNCATE postings CASCADE')).rejects.toThrow(/append-only/);
  });

  it('refuses an unbalanced entry in the application before the database sees it', async () => {
    await expect(
      postEntries(t.pool, [
        {
          id: randomUUID(),
          runId: null,
          day: '2026-05-04',
          kind: 'test',
          description: 'bad',
          createdAt: new Date(),
          postings: [
            { account: 'card_float', amount: a('1.00') },
            { account: 'suspense', amount: a('-0.99') },
          ],
        },
      ]),
    ).rejects.toMatchObject({ code: 'LEDGER_ENTRY_UNBALANCED' });
  });

  it("reverses a run's entries once, leaving the run at zero on every account", async () => {
    const runId = randomUUID();
    const before = await accountBalance(t.pool, 'commission_revenue');
    await withTransaction(t.pool, (tx) =>
      postEntries(tx, [
        {
          id: randomUUID(),
          runId,
          day: '2026-05-04',
          kind: 'commission',
          description: 'c',
          createdAt: new Date(),
          postings: [
            { account: 'suspense', amount: a('3.33') },
            { account: 'commission_revenue', amount: a('-3.33') },
          ],
        },
      ]),
    );
    expect((await accountBalance(t.pool, 'commission_revenue')).sub(before).toString()).toBe(
      '-3.33',
    );
    await withTransaction(t.pool, (tx) => reverseRunEntries(tx, runId, new Date()));
    await withTransaction(t.pool, (tx) => reverseRunEntries(tx, runId, new Date()));
    expect((await accountBalance(t.pool, 'commission_revenue')).eq(before)).toBe(true);
    const totals = await runPostingTotals(t.pool, runId);
    expect(totals).toMatchObject({ entries: 2, unbalanced: 0 });
    expect(totals.total.isZero()).toBe(true);
  });
});
