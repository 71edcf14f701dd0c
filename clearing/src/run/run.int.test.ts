import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@citycard/core/db';
import { createFeeSchedule, createSubsidyRule } from '../fees/index.js';
import { accountBalance, runPostingTotals } from '../ledger/index.js';
import {
  addCashMovement,
  addOperators,
  createClearingTestDb,
  insertTransactions,
  replaceShadowContracts,
  type ClearingTestDb,
  type TestTransaction,
} from '../testing/index.js';
import { clearDay, getRun, listRuns, runClearing } from './index.js';

// Business day 2026-05-04 runs from 04:00 on the 4th to 04:00 on the 5th, Shanghai time.
const at = (local: string) => new Date(`${local}+08:00`);
const AFTER_CUTOFF = at('2026-05-05T05:00:00');
const author = { by: 'finance-1', now: at('2026-05-01T09:00:00') };
let t: ClearingTestDb;

function rows(): TestTransaction[] {
  const bus = Array.from({ length: 10 }, (_, i) => ({
    terminalId: 'bus-T1',
    sequence: i + 1,
    operatorId: 'bus',
    type: 'transit_flat',
    amount: '2.00',
    occurredAt: at(`2026-05-04T08:0${i}:00`),
    ...(i < 4 ? { riderCategoryId: 'STUDENT', discount: '1.00' } : {}),
  }));
  const metro = Array.from({ length: 5 }, (_, i) => ({
    terminalId: 'metro-T1',
    sequence: i + 1,
    operatorId: 'metro',
    type: 'transit_entry',
    amount: '3.00',
    occurredAt: at(`2026-05-04T18:1${i}:00`),
  }));
  return [
    ...bus,
    {
      terminalId: 'bus-T1',
      sequence: 11,
      operatorId: 'bus',
      type: 'transit_correction',
      amount: '-0.50',
      occurredAt: at('2026-05-04T09:00:00'),
    },
    ...metro,
    // Occurred two days earlier, uploaded today: late, cleared today.
    {
      terminalId: 'metro-T1',
      sequence: 6,
      operatorId: 'metro',
      type: 'transit_entry',
      amount: '4.00',
      occurredAt: at('2026-05-02T10:00:00'),
      receivedAt: at('2026-05-04T10:00:00'),
    },
    {
      terminalId: 'shop-T1',
      sequence: 1,
      operatorId: 'shop',
      amount: '12.34',
      occurredAt: at('2026-05-04T12:00:00'),
    },
    {
      terminalId: 'shop-T1',
      sequence: 2,
      operatorId: 'shop',
      amount: '7.66',
      occurredAt: at('2026-05-05T03:59:59'),
    },
    // Quarantined yesterday, released today: counts today.
    {
      terminalId: 'shop-T1',
      sequence: 3,
      operatorId: 'shop',
      amount: '5.55',
      occurredAt: at('2026-05-03T12:00:00'),
      status: 'released',
      resolvedAt: at('2026-05-04T12:00:00'),
    },
    // Still quarantined: never cleared.
    {
      terminalId: 'shop-T1',
      sequence: 4,
      operatorId: 'shop',
      amount: '50.00',
      occurredAt: at('2026-05-04T13:00:00'),
      status: 'quarantined',
    },
    // Received after the cut-off: tomorrow's.
    {
      terminalId: 'shop-T1',
      sequence: 5,
      operatorId: 'shop',
      amount: '99.99',
      occurredAt: at('2026-05-05T04:30:00'),
      receivedAt: AFTER_CUTOFF,
    },
  ];
}

beforeAll(async () => {
  t = await createClearingTestDb();
  await replaceShadowContracts(t.pool);
  await addOperators(t.pool, ['bus', 'metro', 'shop']);
  await createFeeSchedule(
    t.pool,
    { operatorId: 'bus', effectiveFrom: '2026-01-01', dailyMin: '1.00', rates: { '*': '0.01' } },
    author,
  );
  await createFeeSchedule(
    t.pool,
    {
      operatorId: 'metro',
      effectiveFrom: '2026-01-01',
      fixedFee: '0.01',
      dailyMax: '0.40',
      rates: { '*': '0.02' },
    },
    author,
  );
  // A later version that is not in force yet must not apply.
  await createFeeSchedule(
    t.pool,
    { operatorId: 'metro', effectiveFrom: '2026-06-01', rates: { '*': '0.5' } },
    author,
  );
  await createSubsidyRule(
    t.pool,
    { operatorId: null, riderCategoryId: 'STUDENT', rate: '0.5', effectiveFrom: '2026-01-01' },
    author,
  );
  await insertTransactions(t.pool, rows());
  const cash = await addCashMovement(t.pool, {
    kind: 'deposit_taken',
    amount: '20.00',
    at: at('2026-05-04T09:00:00'),
  });
  await addCashMovement(t.pool, {
    kind: 'top_up_cash',
    amount: '100.00',
    at: at('2026-05-04T09:01:00'),
    drawerId: cash.drawerId,
  });
});
afterAll(async () => {
  await t?.close();
});

const net = (run: Awaited<ReturnType<typeof getRun>>, op: string) =>
  run.lines.find((l) => l.operatorId === op);

describe('clearing run on PostgreSQL', () => {
  let firstHash = '';
  let firstId = '';

  it('clears a three-operator day to the fen', async () => {
    const run = await runClearing(t.pool, {
      day: '2026-05-04',
      staff: 'finance-1',
      now: AFTER_CUTOFF,
    });
    firstHash = run.outputHash;
    firstId = run.id;
    expect(run.status).toBe('computed');
    expect(run.cutoff.toISOString()).toBe('2026-05-04T20:00:00.000Z');
    // bus: 20.00 − 0.50 = 19.50; commission 0.20 + 0.00 raised to the 1.00 minimum; subsidy
    // 0.5 × 4.00 = 2.00. metro: 19.00; 0.38 + 6 × 0.01 = 0.44 held at 0.40. shop: 25.55, no fee.
    expect(
      run.lines.map((l) => [
        l.operatorId,
        l.count,
        `${String(l.gross)}`,
        `${String(l.commission)}`,
        `${String(l.subsidy)}`,
        `${String(l.net)}`,
      ]),
    ).toEqual([
      ['bus', 11, '19.50', '1.00', '2.00', '20.50'],
      ['metro', 6, '19.00', '0.40', '0.00', '18.60'],
      ['shop', 3, '25.55', '0.00', '0.00', '25.55'],
    ]);
    expect(net(run, 'metro')).toMatchObject({ lateCount: 1, feeScheduleVersion: 1 });
    expect(run.positions.map((p) => [p.partyId, `${String(p.position)}`])).toEqual(
      [
        ['metro', '18.60'],
        ['bus', '20.50'],
        ['shop', '25.55'],
        ['issuer', '-64.65'],
      ].sort((a, b) => (a[0] === 'issuer' ? 1 : b[0] === 'issuer' ? -1 : a[0]! < b[0]! ? -1 : 1)),
    );
    expect(run.issuance).toMatchObject({ cashMovementsCount: 2 });
    expect(`${String(run.issuance.depositsTaken)}|${String(run.issuance.topUpCash)}`).toBe(
      '20.00|100.00',
    );
    expect(run.totalNet.toString()).toBe('64.65');
    const totals = await runPostingTotals(t.pool, run.id);
    expect(totals.unbalanced).toBe(0);
    expect(totals.total.isZero()).toBe(true);
    expect((await accountBalance(t.pool, 'operator_payable:bus')).toString()).toBe('-20.50');
    expect((await accountBalance(t.pool, 'commission_revenue')).toString()).toBe('-1.40');
    expect((await accountBalance(t.pool, 'deposit_liability')).toString()).toBe('-20.00');
  });

  it('reruns an unapproved day to the identical output hash, replacing the first run', async () => {
    const rerun = await runClearing(t.pool, {
      day: '2026-05-04',
      staff: 'finance-2',
      now: at('2026-05-05T09:00:00'),
    });
    expect(rerun.outputHash).toBe(firstHash);
    expect(rerun.supersedes).toBe(firstId);
    expect((await getRun(t.pool, firstId)).status).toBe('superseded');
    // The first run's entries are reversed: the books hold the day once.
    expect((await accountBalance(t.pool, 'operator_payable:bus')).toString()).toBe('-20.50');
    expect((await runPostingTotals(t.pool, firstId)).total.isZero()).toBe(true);
    expect((await listRuns(t.pool, { day: '2026-05-04' })).map((r) => r.status)).toEqual([
      'computed',
      'superseded',
    ]);
  });

  it('clears a late arrival once, in the next run, flagged', async () => {
    // Received half an hour before the 4th's cut-off but committed after its run (a slow write).
    await insertTransactions(t.pool, [
      {
        terminalId: 'bus-T1',
        sequence: 12,
        operatorId: 'bus',
        type: 'transit_flat',
        amount: '2.00',
        occurredAt: at('2026-05-04T23:00:00'),
        receivedAt: at('2026-05-05T03:30:00'),
      },
    ]);
    const next = await runClearing(t.pool, {
      day: '2026-05-05',
      staff: 'finance-1',
      now: at('2026-05-06T04:00:00'),
    });
    expect(
      next.lines.map((l) => [l.operatorId, l.count, `${String(l.gross)}`, l.lateCount]),
    ).toEqual([
      ['bus', 1, '2.00', 1],
      ['shop', 1, '99.99', 0],
    ]);
    const { rows: twice } = await t.pool.query(
      `SELECT count(*)::int AS n FROM cleared_transactions c JOIN runs r ON r.id = c.run_id
        WHERE r.status = 'computed'`,
    );
    // 20 on the 4th and 2 on the 5th: every accepted record once, the quarantined one never.
    expect(twice[0]).toEqual({ n: 22 });
  });

  it('never reruns an approved day', async () => {
    await t.pool.query(`UPDATE runs SET status = 'approved', status_changed_at = now()
                         WHERE business_day = '2026-05-04' AND status = 'computed'`);
    await expect(
      runClearing(t.pool, {
        day: '2026-05-04',
        staff: 'finance-1',
        now: at('2026-05-06T09:00:00'),
      }),
    ).rejects.toMatchObject({ code: 'CLEARING_DAY_CLOSED' });
  });

  it('refuses a day whose cut-off has not passed', async () => {
    await expect(
      runClearing(t.pool, {
        day: '2026-05-06',
        staff: 'finance-1',
        now: at('2026-05-07T03:59:59'),
      }),
    ).rejects.toMatchObject({ code: 'CLEARING_CUTOFF_NOT_PASSED' });
    await expect(
      runClearing(t.pool, { day: '2026-02-30', staff: 'finance-1', now: AFTER_CUTOFF }),
    ).rejects.toMatchObject({ code: 'CLEARING_DAY_INVALID' });
  });

  it('leaves nothing behind when a run crashes, and the rerun succeeds', async () => {
    await insertTransactions(t.pool, [
      {
        terminalId: 'shop-T1',
        sequence: 6,
        operatorId: 'shop',
        amount: '1.23',
        occurredAt: at('2026-05-06T10:00:00'),
      },
    ]);
    const ledgerBefore = await t.pool.query('SELECT count(*)::int AS n FROM postings');
    const crash = new Error('crash after posting');
    await expect(
      withTransaction(t.pool, async (tx) => {
        await clearDay(tx, {
          day: '2026-05-06',
          staff: 'scheduler',
          now: at('2026-05-07T04:30:00'),
        });
        throw crash;
      }),
    ).rejects.toBe(crash);
    expect(await listRuns(t.pool, { day: '2026-05-06' })).toEqual([]);
    expect((await t.pool.query('SELECT count(*)::int AS n FROM postings')).rows).toEqual(
      ledgerBefore.rows,
    );
    const { rows: freed } = await t.pool.query(
      `SELECT count(*)::int AS n FROM cleared_transactions WHERE terminal_id = 'shop-T1' AND sequence = 6`,
    );
    expect(freed[0]).toEqual({ n: 0 });
    const run = await runClearing(t.pool, {
      day: '2026-05-06',
      staff: 'scheduler',
      now: at('2026-05-07T04:31:00'),
    });
    expect(run.lines.map((l) => `${String(l.operatorId)}:${String(l.gross)}`)).toEqual([
      'shop:1.23',
    ]);
  });

  it('records the float check, its difference explained by what issuance has not posted', async () => {
    const [run] = await listRuns(t.pool, { day: '2026-05-06' });
    const check = run?.floatCheck;
    expect(check?.shadowTotal.toString()).toBe('0.00');
    // No shadow entries here: every cleared transaction is still to be posted to the shadow.
    expect(check?.detail?.clearedNotShadowPosted.neg().eq(check.difference)).toBe(true);
    expect(check?.detail?.unexplained.toString()).toBe('0.00');
    expect(check?.ok).toBe(true);
  });

  it("reads the counter's drawer and cash through issuance's contract views", async () => {
    const { rows } = await t.pool.query<{ outcome: string; kinds: string[] }>(
      `SELECT d.outcome, array_agg(m.kind ORDER BY m.seq) AS kinds
         FROM issuance.drawer_contract d
         JOIN issuance.cash_movements_contract m ON m.drawer_id = d.drawer_id
        GROUP BY d.outcome`,
    );
    expect(rows).toEqual([{ outcome: 'open', kinds: ['deposit_taken', 'top_up_cash'] }]);
  });
});
