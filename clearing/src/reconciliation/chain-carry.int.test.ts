import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '@citycard/core/db';
import { addOperators, createClearingTestDb, type ClearingTestDb } from '../testing/index.js';
import { listExceptions, reconcileDay, type ReconciliationException } from './index.js';

// Business days run from 04:00 Shanghai to 04:00 the next day.
const at = (date: string, hhmm = '10:00'): Date => new Date(`${date}T${hhmm}:00+08:00`);
const D18 = '2026-11-18';
const D19 = '2026-11-19';
const D20 = '2026-11-20';

const D19_BREAKS = [
  'K1 missing_record 14 1.00',
  'K2 balance_break 21 3.00',
  'K3 balance_break 31 0.50',
  // The terminal's upload of counter 31, a tap of the 18th.
  'null late_upload null 1.00',
];

interface Tap {
  seq: number;
  card: string;
  counter: number;
  amount: string;
  before: string;
  occurred: string;
  /** Business day it was received in, when not the day it occurred. */
  received?: string;
}

async function store(db: Queryable, taps: readonly Tap[]): Promise<void> {
  for (const r of taps) {
    const received = at(r.received ?? r.occurred, '12:00');
    await db.query(
      `INSERT INTO gateway.transactions (terminal_id, sequence, type, card_number, uid,
         purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
         operator_id, location, mac, record_hash, received_at, business_day, status)
       VALUES ('op-a-T1', $1::bigint, 'purchase', $2, 'AABBCCDD', $3, $4, $5, $5::numeric - $4::numeric,
               $6::timestamptz, $6::timestamptz::text, 'op-a', '{}', repeat('0', 32),
               md5($1::bigint::text), $7, (($7::timestamptz AT TIME ZONE 'Asia/Shanghai')
                                   - interval '4 hours')::date, 'accepted')`,
      [r.seq, r.card, r.counter, r.amount, r.before, at(r.occurred), received],
    );
  }
}

const summary = (list: readonly ReconciliationException[]) =>
  list.map((e) => `${e.cardNumber} ${e.kind} ${e.purseCounter} ${e.amount?.toString()}`).sort();

describe('the card chain carried from one night to the next', () => {
  let t: ClearingTestDb;
  const night = async (day: string) => {
    const rec = await reconcileDay(t.pool, { day });
    return summary(await listExceptions(t.pool, { reconciliationId: rec.id, limit: 1000 }));
  };
  const through = async (): Promise<string | undefined> => {
    const { rows } = await t.pool.query<{ day: string }>(
      `SELECT to_char(through_day, 'YYYY-MM-DD') AS day FROM card_chain_carry`,
    );
    return rows[0]?.day;
  };

  beforeAll(async () => {
    t = await createClearingTestDb();
    await addOperators(t.pool, ['op-a']);
    let seq = 0;
    const tap = (
      card: string,
      counter: number,
      before: string,
      occurred: string,
      received?: string,
    ): Tap => ({ seq: ++seq, card, counter, amount: '1.00', before, occurred, received });
    await store(t.pool, [
      // K1 chains over three nights; on the 19th counter 13 is missing.
      tap('K1', 10, '20.00', D18),
      tap('K1', 11, '19.00', D18),
      tap('K1', 12, '18.00', D19),
      tap('K1', 14, '16.00', D19),
      tap('K1', 15, '15.00', D20),
      // K2: 3.00 appears across the night of the 18th; counter 22 never arrives.
      tap('K2', 20, '10.00', D18),
      tap('K2', 21, '12.00', D19),
      tap('K2', 23, '10.00', D20),
      // K3: counter 31 occurred on the 18th but arrived on the 19th, after 32, with 0.50 more
      // than counter 30 left: its link is to 30, not to the tail 32 the carry holds.
      tap('K3', 30, '20.00', D18),
      tap('K3', 32, '18.00', D18),
      tap('K3', 31, '19.50', D18, D19),
      tap('K3', 33, '17.50', D19),
      // K4 rests on the 19th; on the 20th its balance does not follow the 18th's.
      tap('K4', 40, '10.00', D18),
      tap('K4', 41, '8.00', D20),
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('builds the carry the first night, then reads and advances it night after night', async () => {
    // The first night builds the carry from the history; counter 31 came the day after.
    expect(await night(D18)).toEqual(['K3 late_upload 32 0.00']);
    expect(await through()).toBe(D18);

    expect(await night(D19)).toEqual(D19_BREAKS);
    expect(await through()).toBe(D19);

    // The 20th's links come from tails written on the 19th (K1, K2) and the 18th (K4).
    expect(await night(D20)).toEqual(['K2 missing_record 23 1.00', 'K4 balance_break 41 -1.00']);
    expect(await through()).toBe(D20);
    const { rows } = await t.pool.query<{ card_number: string; purse_counter: string }>(
      `SELECT card_number, purse_counter FROM card_chain_tails
        WHERE slot = ($1::date - date '2000-01-01') % 2 ORDER BY card_number`,
      [D20],
    );
    expect(rows.map((r) => `${r.card_number}:${r.purse_counter}`)).toEqual([
      'K1:15',
      'K2:23',
      'K3:33',
      'K4:41',
    ]);
  });

  it('finds the same breaks when a night reconciles again without the carry', async () => {
    // The carry is through the 20th now: the 19th is searched in the history, as before.
    expect(await night(D19)).toEqual(D19_BREAKS);
    expect(await through()).toBe(D20);
  });

  it('builds the carry again after a crash emptied it', async () => {
    await t.pool.query('TRUNCATE card_chain_carry, card_chain_tails');
    expect(await night(D20)).toEqual(['K2 missing_record 23 1.00', 'K4 balance_break 41 -1.00']);
    expect(await through()).toBe(D20);
  });
});
