import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '@citycard/core/db';
import {
  addCashMovement,
  addOperators,
  createClearingTestDb,
  type ClearingTestDb,
} from '../testing/index.js';
import {
  latestReconciliation,
  listExceptions,
  listReconciliations,
  reconcileDay,
  type ReconciliationException,
} from './index.js';

const DAY = '2026-11-20';
// The business day runs from 04:00 Shanghai on the 20th to 04:00 on the 21st.
const at = (hhmm: string, date = '2026-11-20'): Date => new Date(`${date}T${hhmm}:00+08:00`);

interface Row {
  terminal: string;
  type?: string;
  seq: number;
  batch?: number;
  card: string;
  uid?: string;
  counter: number;
  amount: string;
  before: string;
  occurred: Date;
  received?: Date;
  /** A second record under a taken counter reaches the books only when finance releases it. */
  released?: boolean;
}

/** Records as the gateway stores them, each field chosen by the test. */
async function store(db: Queryable, rows: readonly Row[]): Promise<void> {
  for (const r of rows) {
    const received = r.received ?? r.occurred;
    await db.query(
      `INSERT INTO gateway.transactions (terminal_id, sequence, batch_seq, type, card_number, uid,
         purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
         operator_id, location, mac, record_hash, received_at, business_day, status,
         resolved_at, resolved_business_day, reason)
       VALUES ($1, $2::bigint, $3, $11, $4, $5, $6, $7, $8, $8::numeric - $7::numeric, $9::timestamptz, $9::timestamptz::text,
               split_part($1, '-T', 1), '{}', repeat('0', 32), md5($1 || $2::text), $10,
               (($10::timestamptz AT TIME ZONE 'Asia/Shanghai') - interval '4 hours')::date,
               CASE WHEN $12 THEN 'released' ELSE 'accepted' END,
               CASE WHEN $12 THEN $10::timestamptz END,
               CASE WHEN $12 THEN (($10::timestamptz AT TIME ZONE 'Asia/Shanghai') - interval '4 hours')::date END,
               CASE WHEN $12 THEN 'COUNTER_REPLAY' END)`,
      [
        r.terminal,
        r.seq,
        r.batch ?? null,
        r.card,
        r.uid ?? 'AABBCCDD',
        r.counter,
        r.amount,
        r.before,
        r.occurred,
        received,
        r.type ?? 'purchase',
        r.released === true,
      ],
    );
  }
}

async function batchHeader(
  db: Queryable,
  terminal: string,
  batch: number,
  range: [number, number],
  count: number,
  total: string,
): Promise<void> {
  await db.query(
    `INSERT INTO gateway.batches (terminal_id, batch_seq, mac, header, record_count, amount_total,
                                  receipt, received_at)
     VALUES ($1, $2, repeat('0', 32), jsonb_build_object('firstSequence', $3::int,
             'lastSequence', $4::int), $5, $6, '{}', $7)`,
    [terminal, batch, range[0], range[1], count, total, at('21:00')],
  );
}

async function closeDrawer(
  db: Queryable,
  drawerId: string,
  expected: string,
  counted: string,
): Promise<void> {
  await db.query(
    `UPDATE issuance.drawers SET closed_at = $2, expected_cash = $3, counted_cash = $4,
            difference = $4::numeric - $3::numeric, closed_by = staff_id, closing_seq = 1
      WHERE id = $1`,
    [drawerId, at('20:00'), expected, counted],
  );
}

const byKind = (list: readonly ReconciliationException[], kind: string) =>
  list.filter((e) => e.kind === kind);

describe('reconcileDay', () => {
  let t: ClearingTestDb;
  beforeAll(async () => {
    t = await createClearingTestDb();
    const db = t.pool;
    await addOperators(db, ['op-a', 'op-b']);
    const A = 'op-a-T1';
    const B = 'op-b-T1';
    await store(db, [
      // Card 1: a clean chain whose day starts where the day before ended.
      {
        terminal: A,
        seq: 1,
        card: 'C1',
        counter: 9,
        amount: '1.00',
        before: '20.00',
        occurred: at('10:00', '2026-11-19'),
      },
      {
        terminal: A,
        seq: 2,
        card: 'C1',
        counter: 10,
        amount: '2.00',
        before: '19.00',
        occurred: at('08:00'),
      },
      {
        terminal: B,
        seq: 1,
        card: 'C1',
        counter: 11,
        amount: '2.00',
        before: '17.00',
        occurred: at('09:00'),
      },
      // A blocked-card record writes no purse: it repeats the counter and is no clone.
      {
        terminal: B,
        seq: 4,
        type: 'card_blocked',
        card: 'C1',
        counter: 11,
        amount: '0.00',
        before: '15.00',
        occurred: at('10:00'),
      },
      // Card 2: counter 21 spent twice, by another uid: a clone.
      {
        terminal: A,
        seq: 3,
        card: 'C2',
        counter: 20,
        amount: '1.00',
        before: '30.00',
        occurred: at('08:00'),
      },
      {
        terminal: A,
        seq: 4,
        card: 'C2',
        counter: 21,
        amount: '1.00',
        before: '29.00',
        occurred: at('08:30'),
      },
      {
        terminal: B,
        seq: 2,
        card: 'C2',
        uid: '11223344',
        counter: 21,
        amount: '5.00',
        before: '29.00',
        occurred: at('08:31'),
        released: true,
      },
      {
        terminal: A,
        seq: 5,
        card: 'C2',
        counter: 22,
        amount: '1.00',
        before: '28.00',
        occurred: at('09:00'),
      },
      // Card 3: counter 31 never arrived; it took 2.00.
      {
        terminal: A,
        seq: 6,
        card: 'C3',
        counter: 30,
        amount: '1.00',
        before: '10.00',
        occurred: at('08:00'),
      },
      {
        terminal: A,
        seq: 7,
        card: 'C3',
        counter: 32,
        amount: '1.00',
        before: '7.00',
        occurred: at('09:00'),
      },
      // Card 4: counter 41 arrived the next business day.
      {
        terminal: A,
        seq: 8,
        card: 'C4',
        counter: 40,
        amount: '1.00',
        before: '10.00',
        occurred: at('08:00'),
      },
      {
        terminal: A,
        seq: 9,
        card: 'C4',
        counter: 42,
        amount: '1.00',
        before: '8.00',
        occurred: at('09:00'),
      },
      {
        terminal: B,
        seq: 3,
        card: 'C4',
        counter: 41,
        amount: '1.00',
        before: '9.00',
        occurred: at('08:30'),
        received: at('12:00', '2026-11-21'),
      },
      // Card 5: 3.00 appears between two consecutive counters.
      {
        terminal: A,
        seq: 10,
        card: 'C5',
        counter: 50,
        amount: '1.00',
        before: '10.00',
        occurred: at('08:00'),
      },
      {
        terminal: A,
        seq: 11,
        card: 'C5',
        counter: 51,
        amount: '1.00',
        before: '12.00',
        occurred: at('09:00'),
      },
      // Card 6: the day starts two counters after the day before ended.
      {
        terminal: A,
        seq: 12,
        card: 'C6',
        counter: 59,
        amount: '1.00',
        before: '10.00',
        occurred: at('10:00', '2026-11-19'),
      },
      {
        terminal: A,
        seq: 13,
        card: 'C6',
        counter: 61,
        amount: '1.00',
        before: '8.50',
        occurred: at('09:00'),
      },
      // Card 7: a tap of the 19th uploaded on the 20th, in batch 1 of terminal B.
      {
        terminal: B,
        seq: 10,
        batch: 1,
        card: 'C7',
        counter: 70,
        amount: '1.50',
        before: '10.00',
        occurred: at('22:00', '2026-11-19'),
        received: at('21:00'),
      },
      {
        terminal: B,
        seq: 11,
        batch: 1,
        card: 'C8',
        counter: 80,
        amount: '2.50',
        before: '10.00',
        occurred: at('12:00'),
        received: at('21:00'),
      },
      // Terminal A's batch 1 holds two records; its header claims three.
      {
        terminal: A,
        seq: 20,
        batch: 1,
        card: 'C9',
        counter: 90,
        amount: '1.00',
        before: '10.00',
        occurred: at('12:00'),
        received: at('21:00'),
      },
      {
        terminal: A,
        seq: 21,
        batch: 1,
        card: 'C9',
        counter: 91,
        amount: '1.00',
        before: '9.00',
        occurred: at('13:00'),
        received: at('21:00'),
      },
    ]);
    await batchHeader(db, B, 1, [10, 11], 2, '4.00');
    await batchHeader(db, A, 1, [20, 22], 3, '3.00');
    const drawer = async (expected: string, counted?: string): Promise<void> => {
      const m = await addCashMovement(db, {
        kind: 'top_up_cash',
        amount: expected,
        at: at('09:00'),
      });
      if (counted !== undefined) await closeDrawer(db, m.drawerId, expected, counted);
    };
    await drawer('50.00', '55.00');
    await drawer('20.00', '17.00');
    await drawer('10.00', '10.00');
    await drawer('10.00');
  });
  afterAll(async () => {
    await t.close();
  });

  it('explains every break of the day and nothing else', async () => {
    const rec = await reconcileDay(t.pool, { day: DAY });
    const list = await listExceptions(t.pool, { day: DAY, limit: 1000 });
    expect(rec.byKind).toEqual({
      suspected_clone: 1,
      missing_record: 2,
      late_upload: 2,
      balance_break: 1,
      batch_total_mismatch: 1,
      drawer_long: 1,
      drawer_short: 1,
      drawer_open: 1,
    });
    expect(list).toHaveLength(rec.exceptionCount);
    expect(rec).toMatchObject({
      day: DAY,
      batchesChecked: 2,
      drawersChecked: 4,
      recordsChecked: 18,
    });

    const [clone] = byKind(list, 'suspected_clone');
    expect(clone).toMatchObject({ cardNumber: 'C2', purseCounter: '21' });
    expect(clone?.explanation).toMatch(/counter 21 spent 1 more time.*uids 11223344, AABBCCDD/);
    // The repeat names the record it repeats: the one before it in the chain's order.
    expect(clone?.details).toMatchObject({
      repeats: [
        {
          purseCounter: 21,
          terminalId: 'op-b-T1',
          sequence: 2,
          earlierTerminalId: 'op-a-T1',
          earlierSequence: 4,
          earlierUid: 'AABBCCDD',
        },
      ],
    });

    const missing = byKind(list, 'missing_record').sort((a, b) =>
      (a.cardNumber ?? '').localeCompare(b.cardNumber ?? ''),
    );
    expect(missing.map((e) => [e.cardNumber, e.amount?.toString()])).toEqual([
      ['C3', '2.00'],
      ['C6', '0.50'],
    ]);
    expect(missing[0]?.details).toMatchObject({
      fromCounter: 31,
      toCounter: 31,
      missing: 1,
      previousTerminalId: 'op-a-T1',
      previousSequence: 6,
    });
    expect(missing[1]?.details).toMatchObject({ fromCounter: 60, toCounter: 60, missing: 1 });

    const late = byKind(list, 'late_upload');
    expect(late.find((e) => e.cardNumber === 'C4')?.explanation).toMatch(
      /^Purse counter 41 uploaded late: .*2026-11-21/,
    );
    expect(late.find((e) => e.batchSeq === '1')).toMatchObject({ terminalId: 'op-b-T1' });
    expect(late.find((e) => e.batchSeq === '1')?.amount?.toString()).toBe('1.50');
    expect(late.find((e) => e.batchSeq === '1')?.explanation).toMatch(
      /occurred at 2026-11-19 22:00, .*received in batch 1 at 2026-11-20 21:00 \(Asia\/Shanghai\)/,
    );

    expect(byKind(list, 'balance_break')[0]).toMatchObject({
      cardNumber: 'C5',
      purseCounter: '51',
    });
    expect(byKind(list, 'balance_break')[0]?.amount?.toString()).toBe('3.00');
    expect(byKind(list, 'balance_break')[0]?.details).toMatchObject({
      previousTerminalId: 'op-a-T1',
      previousSequence: 10,
      previousBalanceAfter: '9.00',
    });
    const [mismatch] = byKind(list, 'batch_total_mismatch');
    expect(mismatch).toMatchObject({ terminalId: 'op-a-T1', batchSeq: '1' });
    expect(mismatch?.explanation).toMatch(
      /declares 3 record\(s\) totalling 3.00; the gateway holds 2/,
    );
    expect(byKind(list, 'drawer_long')[0]?.amount?.toString()).toBe('5.00');
    expect(byKind(list, 'drawer_long')[0]?.explanation).toBe(
      'Drawer closed at 2026-11-20 20:00 counted 55.00 against 50.00 expected: 5.00 long',
    );
    expect(byKind(list, 'drawer_short')[0]?.amount?.toString()).toBe('-3.00');
  });

  it('keeps every reconciliation: the latest of the day stands, none is ever changed', async () => {
    const first = await reconcileDay(t.pool, { day: DAY });
    const second = await reconcileDay(t.pool, { day: DAY });
    expect((await latestReconciliation(t.pool, DAY))?.id).toBe(second.id);
    expect(second.byKind).toEqual(first.byKind);
    expect((await listReconciliations(t.pool, { day: DAY })).length).toBeGreaterThanOrEqual(2);
    const clones = await listExceptions(t.pool, {
      reconciliationId: first.id,
      kind: 'suspected_clone',
    });
    expect(clones).toHaveLength(1);
    await expect(
      t.pool.query(
        `UPDATE reconciliation_exceptions SET explanation = 'x' WHERE reconciliation_id = $1`,
        [first.id],
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.pool.query(`DELETE FROM reconciliations WHERE id = $1`, [first.id]),
    ).rejects.toThrow(/append-only/);
  });

  it('refuses a run that does not exist or is of another day, and a malformed day', async () => {
    await expect(reconcileDay(t.pool, { day: DAY, runId: randomUUID() })).rejects.toMatchObject({
      code: 'CLEARING_RUN_NOT_FOUND',
    });
    await expect(reconcileDay(t.pool, { day: '2026-13-01' })).rejects.toMatchObject({
      code: 'CLEARING_DAY_INVALID',
    });
    await expect(listExceptions(t.pool, { day: '2026-01-01' })).rejects.toMatchObject({
      code: 'RECONCILIATION_NOT_FOUND',
    });
  });

  it('counts confirmed loads between two counters, their amounts included in the balance chain', async () => {
    const db = t.pool;
    const A = 'op-a-T1';
    await store(db, [
      // Card 10: counter 101 is a load of 10.00, the chain holds.
      {
        terminal: A,
        seq: 30,
        card: 'C10',
        counter: 100,
        amount: '1.00',
        before: '5.00',
        occurred: at('08:00'),
      },
      {
        terminal: A,
        seq: 31,
        card: 'C10',
        counter: 102,
        amount: '1.00',
        before: '14.00',
        occurred: at('09:00'),
      },
      // Card 11: counter 111 is a load of 5.00, yet 6.00 appeared.
      {
        terminal: A,
        seq: 32,
        card: 'C11',
        counter: 110,
        amount: '1.00',
        before: '5.00',
        occurred: at('08:00'),
      },
      {
        terminal: A,
        seq: 33,
        card: 'C11',
        counter: 112,
        amount: '1.00',
        before: '10.00',
        occurred: at('09:00'),
      },
      // Card 12: counter 121 is a balance transfer of 7.00 written onto the chip, no cash taken.
      {
        terminal: A,
        seq: 34,
        card: 'C12',
        counter: 120,
        amount: '1.00',
        before: '5.00',
        occurred: at('08:00'),
      },
      {
        terminal: A,
        seq: 35,
        card: 'C12',
        counter: 122,
        amount: '1.00',
        before: '11.00',
        occurred: at('09:00'),
      },
    ]);
    // Issuance's contract views, as a double holding exactly these loads and no drawers.
    const schema = `issuance_double_${randomUUID().slice(0, 8)}`;
    await db.query(`
      CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.loads_contract (card_number text, status text,
        purse_counter_after bigint, amount numeric(18,2));
      INSERT INTO ${schema}.loads_contract VALUES
        ('C10', 'confirmed', 101, 10.00), ('C11', 'confirmed', 111, 5.00),
        ('C12', 'transfer_confirmed', 121, 7.00), ('C3', 'failed', 31, 2.00);
      CREATE TABLE ${schema}.drawer_contract AS SELECT * FROM issuance.drawer_contract WHERE false;
    `);
    const withLoads = await reconcileDay(db, { day: DAY, sources: { issuance: schema } });
    const list = await listExceptions(db, { reconciliationId: withLoads.id, limit: 1000 });
    expect(list.filter((e) => e.cardNumber === 'C10')).toEqual([]);
    expect(list.filter((e) => e.cardNumber === 'C12')).toEqual([]);
    const [c11] = list.filter((e) => e.cardNumber === 'C11');
    expect(c11).toMatchObject({ kind: 'balance_break', purseCounter: '112' });
    expect(c11?.amount?.toString()).toBe('1.00');
    expect(c11?.explanation).toMatch(/with 1 load\(s\) of 5.00 .*: 1.00 appeared/);
    // A failed load fills nothing: card 3's gap stays a missing record.
    expect(list.filter((e) => e.cardNumber === 'C3').map((e) => e.kind)).toEqual([
      'missing_record',
    ]);
    // Without the loads, every such gap is records missing.
    const without = await reconcileDay(db, { day: DAY });
    const bare = await listExceptions(db, { reconciliationId: without.id, kind: 'missing_record' });
    expect(bare.map((e) => e.cardNumber).sort()).toEqual(['C10', 'C11', 'C12', 'C3', 'C6']);
  });
});
