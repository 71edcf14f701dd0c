import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';
import {
  createFeeSchedule,
  createSubsidyRule,
  feeSchedulesInForce,
  listFeeSchedules,
  listSubsidyRules,
} from './index.js';

const author = { by: 'finance-1', now: new Date('2026-01-01T00:00:00Z') };
let t: ClearingTestDb;

beforeAll(async () => {
  t = await createClearingTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe('fee schedules in PostgreSQL', () => {
  it('versions each change and picks the one in force per day', async () => {
    const v1 = await createFeeSchedule(
      t.pool,
      {
        operatorId: 'bus',
        effectiveFrom: '2026-01-01',
        rates: { '*': '0.01', purchase: '0.0125' },
      },
      author,
    );
    const v2 = await createFeeSchedule(
      t.pool,
      {
        operatorId: 'bus',
        effectiveFrom: '2026-03-01',
        effectiveTo: '2026-04-01',
        fixedFee: '0.02',
        dailyMin: '1.00',
        dailyMax: '100.00',
        rates: { '*': '0.02' },
      },
      author,
    );
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.rates.purchase?.toString()).toBe('0.0125');
    expect(`${String(v2.fixedFee)}|${String(v2.dailyMin)}|${String(v2.dailyMax)}`).toBe(
      '0.02|1.00|100.00',
    );
    expect((await feeSchedulesInForce(t.pool, '2026-03-15')).get('bus')?.version).toBe(2);
    expect((await feeSchedulesInForce(t.pool, '2026-04-01')).get('bus')?.version).toBe(1);
    expect((await feeSchedulesInForce(t.pool, '2025-12-31')).has('bus')).toBe(false);
    expect(await listFeeSchedules(t.pool, 'bus')).toHaveLength(2);
  });

  it('refuses a malformed schedule with a code', async () => {
    await expect(
      createFeeSchedule(
        t.pool,
        { operatorId: 'bus', effectiveFrom: '2026-05-01', effectiveTo: '2026-04-01', rates: {} },
        author,
      ),
    ).rejects.toMatchObject({ code: 'FEE_SCHEDULE_INVALID' });
    await expect(
      createFeeSchedule(
        t.pool,
        { operatorId: 'bus', effectiveFrom: '2026-05-01', rates: { '*': '0.1234567890123' } },
        author,
      ),
    ).rejects.toMatchObject({ code: 'FEE_SCHEDULE_INVALID' });
  });

  it('keeps rules as evidence: no UPDATE or DELETE', async () => {
    await expect(t.pool.query(`UPDATE fee_schedules SET fixed_fee = 9`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.pool.query(`DELETE FROM fee_rates`)).rejects.toThrow(/append-only/);
  });

  it('versions subsidy rules per operator and category', async () => {
    await createSubsidyRule(
      t.pool,
      { operatorId: null, riderCategoryId: 'STUDENT', rate: '0.5', effectiveFrom: '2026-01-01' },
      author,
    );
    const second = await createSubsidyRule(
      t.pool,
      { operatorId: null, riderCategoryId: 'STUDENT', rate: '0.6', effectiveFrom: '2026-02-01' },
      author,
    );
    expect(second.version).toBe(2);
    expect((await listSubsidyRules(t.pool)).map((r) => r.rate.toString())).toEqual(['0.5', '0.6']);
  });
});
