import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClearingApp, type BuiltClearing } from '../app.js';
import { saveParty } from '../parties/index.js';
import { addStaffSession, type TestStaff } from '../staff/test-sessions.js';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';

let t: ClearingTestDb;
let built: BuiltClearing;
let admin: TestStaff;
let auditor: TestStaff;

beforeAll(async () => {
  t = await createClearingTestDb();
  built = await buildClearingApp({ db: t.pool, logLevel: 'silent' });
  admin = await addStaffSession(t.pool, ['admin'], 'fee_admin');
  auditor = await addStaffSession(t.pool, ['auditor']);
  const author = { by: 'setup', now: new Date('2026-01-01T00:00:00Z') };
  await saveParty(t.pool, { id: 'issuer', kind: 'issuer', name: 'City Card Co.' }, author);
  await saveParty(t.pool, { id: 'metro', kind: 'operator', name: 'City Metro' }, author);
});
afterAll(async () => {
  await built?.app.close();
  await t?.close();
});

const post = (url: string, payload: object, who = admin) =>
  built.app.inject({ method: 'POST', url, headers: who.headers, payload });
const get = (url: string) => built.app.inject({ method: 'GET', url, headers: auditor.headers });

async function rulesWritten(): Promise<number> {
  const { rows } = await t.pool.query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM clearing.fee_schedules) + (SELECT count(*) FROM clearing.fee_rates)
           + (SELECT count(*) FROM clearing.subsidy_rules) + (SELECT count(*) FROM clearing.audit_log))::int AS n`,
  );
  return rows[0]?.n ?? -1;
}

interface ErrorBody {
  code: string;
  message: string;
  details: { issues: { path: string }[]; overlaps?: { version: number }[] };
}

async function expectRefused(
  url: string,
  payload: object,
  status: number,
  code: string,
  field: string,
) {
  const before = await rulesWritten();
  const res = await post(url, payload);
  expect(res.statusCode, JSON.stringify(payload)).toBe(status);
  const err = res.json<ErrorBody>();
  expect(err.code).toBe(code);
  expect(
    err.details.issues.map((i) => i.path),
    JSON.stringify(payload),
  ).toContain(field);
  expect(await rulesWritten()).toBe(before);
  return err;
}

const base = { operatorId: 'metro', effectiveFrom: '2026-01-01', rates: { '*': '0.015' } };

describe('fee schedules over HTTP', () => {
  it('creates versions with amounts and rates as strings, lists them and audits', async () => {
    const v1 = await post('/v1/fee-schedules', {
      ...base,
      fixedFee: '0.02',
      dailyMax: '300.00',
      rates: { '*': '0.015', purchase: '0.0125' },
    });
    expect(v1.statusCode).toBe(201);
    expect(v1.json()).toEqual({
      id: expect.any(String) as string,
      operatorId: 'metro',
      version: 1,
      effectiveFrom: '2026-01-01',
      effectiveTo: null,
      fixedFee: '0.02',
      dailyMin: null,
      dailyMax: '300.00',
      rates: { '*': '0.015', purchase: '0.0125' },
    });
    // A rate change from a later day takes over the open-ended schedule; a bounded window too.
    expect(
      (await post('/v1/fee-schedules', { ...base, effectiveFrom: '2027-01-01' })).statusCode,
    ).toBe(201);
    const promo = await post('/v1/fee-schedules', {
      ...base,
      effectiveFrom: '2026-03-01',
      effectiveTo: '2026-04-01',
      rates: { '*': '0' },
    });
    expect(promo.json()).toMatchObject({ version: 3, rates: { '*': '0' } });

    const listed = await get('/v1/fee-schedules?operatorId=metro');
    expect(
      listed.json<{ feeSchedules: { version: number }[] }>().feeSchedules.map((s) => s.version),
    ).toEqual([1, 2, 3]);
    expect((await get('/v1/fee-schedules?operatorId=bus')).json()).toEqual({ feeSchedules: [] });
    const all = await get('/v1/fee-schedules?operatorId=');
    expect(all.json<{ feeSchedules: unknown[] }>().feeSchedules).toHaveLength(3);
    const { rows } = await t.pool.query<{ actor: string; details: { version: number } }>(
      `SELECT actor, details FROM clearing.audit_log WHERE action = 'fees.schedule_create' ORDER BY seq`,
    );
    expect(rows.map((r) => [r.actor, r.details.version])).toEqual([
      ['fee_admin', 1],
      ['fee_admin', 2],
      ['fee_admin', 3],
    ]);
  });

  it('refuses overlapping periods with the field and the versions in the way', async () => {
    // Would swallow the rest of the March window and hide the 2027 change.
    const err = await expectRefused(
      '/v1/fee-schedules',
      { ...base, effectiveFrom: '2026-03-15' },
      400,
      'FEE_SCHEDULE_INVALID',
      'body.effectiveFrom',
    );
    expect(err.details.overlaps?.map((o) => o.version)).toEqual([2, 3]);
    expect(err.message).toMatch(/overlaps version/);
    await expectRefused(
      '/v1/fee-schedules',
      base,
      400,
      'FEE_SCHEDULE_INVALID',
      'body.effectiveFrom',
    );
  });

  it('refuses bad rates, amounts and days with a code and a field, writing nothing', async () => {
    const later = { ...base, effectiveFrom: '2028-01-01' };
    const cases: [object, string][] = [
      [{ ...later, rates: { '*': '1.5' } }, 'body.rates.*'],
      [{ ...later, rates: { '*': '-0.1' } }, 'body.rates.*'],
      [{ ...later, rates: { '*': 0.01 } }, 'body.rates.*'],
      [{ ...later, rates: { '*': '0.12345678901' } }, 'body.rates.*'],
      [{ ...later, fixedFee: '0.1' }, 'body.fixedFee'],
      [{ ...later, dailyMin: '5.00', dailyMax: '1.00' }, 'body.dailyMax'],
      [{ ...later, effectiveFrom: '2028-02-30' }, 'body.effectiveFrom'],
      [{ ...later, effectiveTo: '2027-12-31' }, 'body.effectiveTo'],
      [{ ...later, operatorId: 'no such op!' }, 'body.operatorId'],
    ];
    for (const [payload, field] of cases) {
      await expectRefused('/v1/fee-schedules', payload, 400, 'VALIDATION_FAILED', field);
    }
    await expectRefused(
      '/v1/fee-schedules',
      { ...later, operatorId: 'ghost' },
      404,
      'PARTY_NOT_FOUND',
      'body.operatorId',
    );
    await expectRefused(
      '/v1/fee-schedules',
      { ...later, operatorId: 'issuer' },
      400,
      'FEE_SCHEDULE_INVALID',
      'body.operatorId',
    );
  });

  it('lets only an admin create', async () => {
    const before = await rulesWritten();
    const finance = await addStaffSession(t.pool, ['finance']);
    const res = await post('/v1/fee-schedules', { ...base, effectiveFrom: '2029-01-01' }, finance);
    expect(res.statusCode).toBe(403);
    expect(await rulesWritten()).toBe(before);
  });
});

describe('subsidy rules over HTTP', () => {
  const student = {
    operatorId: null,
    riderCategoryId: 'STUDENT',
    rate: '0.5',
    effectiveFrom: '2026-01-01',
  };

  it('creates, lists and audits; refuses overlaps and bad rates', async () => {
    const made = await post('/v1/subsidy-rules', student);
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({
      operatorId: null,
      riderCategoryId: 'STUDENT',
      version: 1,
      rate: '0.5',
    });
    const own = await post('/v1/subsidy-rules', { ...student, operatorId: 'metro', rate: '0.75' });
    expect(own.json()).toMatchObject({ operatorId: 'metro', version: 1, rate: '0.75' });
    expect(
      (await post('/v1/subsidy-rules', { ...student, effectiveFrom: '2026-06-01', rate: '0.6' }))
        .statusCode,
    ).toBe(201);

    const listed = await get('/v1/subsidy-rules');
    expect(
      listed.json<{ subsidyRules: { rate: string }[] }>().subsidyRules.map((r) => r.rate),
    ).toEqual(['0.5', '0.6', '0.75']);

    await expectRefused(
      '/v1/subsidy-rules',
      { ...student, effectiveFrom: '2026-06-01' },
      400,
      'FEE_SCHEDULE_INVALID',
      'body.effectiveFrom',
    );
    await expectRefused(
      '/v1/subsidy-rules',
      { ...student, effectiveFrom: '2030-01-01', rate: '2' },
      400,
      'VALIDATION_FAILED',
      'body.rate',
    );
    await expectRefused(
      '/v1/subsidy-rules',
      { ...student, effectiveFrom: '2030-01-01', operatorId: 'ghost' },
      404,
      'PARTY_NOT_FOUND',
      'body.operatorId',
    );
    const { rows } = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM clearing.audit_log WHERE action = 'fees.subsidy_rule_create'`,
    );
    expect(rows[0]?.n).toBe(3);
  });
});
