import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCashMovement,
  addConfirmedLoad,
  addOperators,
  addShadowEntries,
  createClearingTestDb,
  insertTransactions,
  replaceShadowContracts,
  type ClearingTestDb,
} from '../testing/index.js';
import { runClearing, type FloatCheck } from './index.js';

// Business day 2026-03-10 runs from 04:00 on the 10th to 04:00 on the 11th, Shanghai time.
const at = (local: string) => new Date(`${local}+08:00`);
const DAY = '2026-03-10';
let t: ClearingTestDb;

const s = (a: { toString(): string } | undefined) => a?.toString();

function figures(check: FloatCheck) {
  const d = check.detail;
  return {
    ledgerFloat: s(check.ledgerFloat),
    shadowTotal: s(check.shadowTotal),
    difference: s(check.difference),
    ok: check.ok,
    clearedGross: s(d?.clearedGross),
    clearedNotShadowPosted: s(d?.clearedNotShadowPosted),
    unexplained: s(d?.unexplained),
  };
}

beforeAll(async () => {
  t = await createClearingTestDb();
  await replaceShadowContracts(t.pool);
  await addOperators(t.pool, ['bus', 'shop']);
  const C1 = '3100000000000011';
  const tx = { cardNumber: C1, operatorId: 'bus', type: 'transit_flat' };
  await insertTransactions(t.pool, [
    {
      ...tx,
      terminalId: 'bus-T1',
      sequence: 1,
      amount: '2.00',
      occurredAt: at('2026-03-10T08:00'),
    },
    {
      ...tx,
      terminalId: 'bus-T1',
      sequence: 2,
      amount: '3.00',
      occurredAt: at('2026-03-10T09:00'),
    },
    {
      ...tx,
      terminalId: 'bus-T1',
      sequence: 3,
      type: 'transit_correction',
      amount: '-0.50',
      occurredAt: at('2026-03-10T09:30'),
    },
    // Received after the cut-off: tomorrow's, though issuance has posted it already.
    {
      ...tx,
      terminalId: 'bus-T1',
      sequence: 4,
      amount: '1.00',
      occurredAt: at('2026-03-11T05:00'),
    },
    // Cleared tonight, not posted to the shadow yet.
    {
      ...tx,
      terminalId: 'shop-T1',
      sequence: 1,
      operatorId: 'shop',
      type: 'purchase',
      amount: '4.00',
      occurredAt: at('2026-03-10T18:00'),
    },
  ]);
  const taken = await addConfirmedLoad(t.pool, {
    cardNumber: C1,
    amount: '50.00',
    confirmedAt: at('2026-03-10T07:00'),
  });
  const late = await addConfirmedLoad(t.pool, {
    cardNumber: C1,
    amount: '20.00',
    confirmedAt: at('2026-03-11T05:00'),
  });
  await addCashMovement(t.pool, {
    kind: 'balance_refunded',
    amount: '-5.00',
    at: at('2026-03-10T12:00'),
    referenceType: 'card',
  });
  const debit = (sequence: number, amount: string, when: string) => ({
    cardNumber: C1,
    kind: amount.startsWith('-') ? 'debit' : 'fare_refund',
    amount,
    at: at(when),
    terminalId: 'bus-T1',
    sequence,
  });
  await addShadowEntries(t.pool, [
    {
      cardNumber: C1,
      kind: 'load',
      amount: '50.00',
      at: at('2026-03-10T07:00'),
      reference: `load:${taken}`,
    },
    {
      cardNumber: C1,
      kind: 'load',
      amount: '20.00',
      at: at('2026-03-11T05:00'),
      reference: `load:${late}`,
    },
    debit(1, '-2.00', '2026-03-10T08:00'),
    debit(2, '-3.00', '2026-03-10T09:00'),
    debit(3, '0.50', '2026-03-10T09:30'),
    debit(4, '-1.00', '2026-03-11T05:00'),
    { cardNumber: C1, kind: 'refund', amount: '-5.00', at: at('2026-03-10T12:00') },
    { cardNumber: C1, kind: 'transfer_out', amount: '-10.00', at: at('2026-03-10T13:00') },
    {
      cardNumber: '3100000000000029',
      kind: 'transfer_in',
      amount: '10.00',
      at: at('2026-03-10T13:00'),
    },
    { cardNumber: C1, kind: 'transfer_out', amount: '-7.00', at: at('2026-03-11T06:00') },
    {
      cardNumber: '3100000000000029',
      kind: 'transfer_in',
      amount: '7.00',
      at: at('2026-03-11T06:00'),
    },
    { cardNumber: C1, kind: 'correction', amount: '1.25', at: at('2026-03-10T14:00') },
  ]);
});
afterAll(async () => {
  await t?.close();
});

const run = (now: string) => runClearing(t.pool, { day: DAY, staff: 'finance-1', now: at(now) });

describe('the float check over a consistent cut', () => {
  it('counts what the ledger has seen and explains the rest', async () => {
    const { floatCheck } = await run('2026-03-11T06:30');
    // Ledger: loads 50.00 − card debits (2.00 + 3.00 − 0.50 + 4.00) − refund 5.00.
    // Shadow cut: 50.00 − 4.50 (bus-T1 1..3) − 5.00 + 10.00 − 10.00; shop-T1/1 not posted yet.
    expect(figures(floatCheck)).toEqual({
      ledgerFloat: '36.50',
      shadowTotal: '40.50',
      difference: '-4.00',
      ok: true,
      clearedGross: '8.50',
      clearedNotShadowPosted: '4.00',
      unexplained: '0.00',
    });
    const d = floatCheck.detail;
    expect(d?.cut.toISOString()).toBe('2026-03-10T20:00:00.000Z');
    expect(
      Object.fromEntries(
        Object.entries(d?.outsideCut ?? {}).map(([k, v]) => [k, `${v.count}:${s(v.amount)}`]),
      ),
    ).toEqual({
      terminalNotCleared: '1:-1.00',
      loadsNotCleared: '1:20.00',
      afterCut: '2:0.00',
      corrections: '1:1.25',
    });
  });

  it('agrees to the fen once issuance has posted every cleared record', async () => {
    await addShadowEntries(t.pool, [
      {
        cardNumber: '3100000000000037',
        kind: 'debit',
        amount: '-4.00',
        at: at('2026-03-10T18:00'),
        terminalId: 'shop-T1',
        sequence: 1,
      },
    ]);
    const { floatCheck } = await run('2026-03-11T07:00');
    expect(figures(floatCheck)).toMatchObject({
      difference: '0.00',
      clearedNotShadowPosted: '0.00',
      unexplained: '0.00',
      ok: true,
    });
  });

  it('fails on a shadow movement the ledger never saw', async () => {
    await addShadowEntries(t.pool, [
      {
        cardNumber: '3100000000000011',
        kind: 'refund',
        amount: '-2.00',
        at: at('2026-03-10T15:00'),
      },
    ]);
    const { floatCheck } = await run('2026-03-11T07:30');
    expect(figures(floatCheck)).toMatchObject({
      difference: '2.00',
      unexplained: '2.00',
      ok: false,
    });
  });

  it("carries its totals: an entry committed after a run's snapshot is counted by the next", async () => {
    const summedAfresh = async () => {
      const { rows } = await t.pool.query<{ class: string; n: string; amount: string }>(
        `SELECT CASE WHEN terminal_id IS NOT NULL THEN 'terminal'
                     WHEN kind IN ('load', 'correction') THEN kind ELSE 'other' END AS class,
                count(*)::text AS n, sum(amount)::numeric(18,2)::text AS amount
           FROM issuance.shadow_entry_contract GROUP BY 1`,
      );
      return Object.fromEntries(rows.map((r) => [r.class, { n: r.n, amount: r.amount }]));
    };
    const carried = async () => {
      const { rows } = await t.pool.query<{ totals: Record<string, unknown> }>(
        `SELECT float_totals AS totals FROM runs WHERE float_snapshot IS NOT NULL
          ORDER BY pg_snapshot_xmax(float_snapshot) DESC LIMIT 1`,
      );
      return rows[0]?.totals;
    };
    const correction = (amount: string) => ({
      cardNumber: '3100000000000011',
      kind: 'correction',
      amount,
      at: at('2026-03-10T16:00'),
    });
    // A writer's transaction is open across the run, and a later one has committed before it:
    // the run's snapshot sees the later entry and not the earlier writer's.
    const writer = await t.pool.connect();
    try {
      await writer.query('BEGIN');
      await addShadowEntries(writer, [correction('-0.75')]);
      await addShadowEntries(t.pool, [correction('0.30')]);
      const during = await run('2026-03-11T08:00');
      expect(during.floatCheck.detail?.outsideCut.corrections.count).toBe(2);
      await writer.query('COMMIT');
    } finally {
      writer.release();
    }
    const after = await run('2026-03-11T08:30');
    expect(after.floatCheck.detail?.outsideCut.corrections).toMatchObject({ count: 3 });
    expect(s(after.floatCheck.detail?.outsideCut.corrections.amount)).toBe('0.80');
    expect(await carried()).toEqual(await summedAfresh());
  });
});
