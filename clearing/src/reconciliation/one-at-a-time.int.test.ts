import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addOperators,
  createClearingTestDb,
  insertTransactions,
  type ClearingTestDb,
} from '../testing/index.js';
import { reconcileDay } from './index.js';
import { RECONCILE_LOCK_KEY } from './sessions.js';

const D20 = '2026-11-20';
const D21 = '2026-11-21';
const at = (day: string): Date => new Date(`${day}T10:00:00+08:00`);

describe('one reconciliation at a time', () => {
  let t: ClearingTestDb;
  let seq = 0;
  // Each tap on a card of its own: no breaks, only records to count and tails to carry.
  const taps = (n: number, day: string) =>
    insertTransactions(
      t.pool,
      Array.from({ length: n }, () => {
        seq += 1;
        return {
          terminalId: 'op-a-T1',
          sequence: seq,
          operatorId: 'op-a',
          amount: '1.00',
          occurredAt: at(day),
          cardNumber: `K${seq}`,
          purseCounter: 1,
        };
      }),
    );

  beforeAll(async () => {
    t = await createClearingTestDb();
    await addOperators(t.pool, ['op-a']);
    await taps(3, D20);
  });
  afterAll(async () => {
    await t.close();
  });

  it('waits while another holds the lock, and takes its snapshot only once it has it', async () => {
    const holder = await t.pool.connect();
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [RECONCILE_LOCK_KEY]);
    let settled = false;
    const waiting = reconcileDay(t.pool, { day: D20 }).finally(() => {
      settled = true;
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled).toBe(false);
      // Committed while it waits: its snapshot, taken after the lock, holds these too.
      await taps(2, D20);
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [RECONCILE_LOCK_KEY]);
      holder.release();
    }
    expect((await waiting).recordsChecked).toBe(5);
  });

  it('two nights of one day at once both stand, and the carry is written whole', async () => {
    await taps(4, D21);
    // The carry is through the 20th: both would empty and refill the 21st's slot.
    const [a, b] = await Promise.all([
      reconcileDay(t.pool, { day: D21 }),
      reconcileDay(t.pool, { day: D21 }),
    ]);
    expect([a.recordsChecked, b.recordsChecked]).toEqual([4, 4]);
    expect(b.byKind).toEqual(a.byKind);
    const { rows } = await t.pool.query<{ through: string; tails: string }>(
      `SELECT to_char(c.through_day, 'YYYY-MM-DD') AS through,
              (SELECT count(*) FROM card_chain_tails
                WHERE slot = ($1::date - date '2000-01-01') % 2) AS tails
         FROM card_chain_carry c`,
      [D21],
    );
    expect(rows).toEqual([{ through: D21, tails: '9' }]);
  });
});
