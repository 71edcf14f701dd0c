import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClearingApp, type BuiltClearing } from '../app.js';
import { addPayees, afterCutoff, clearDayWith } from '../settlement/test-fixtures.js';
import { fakeBankConfirm } from '../settlement/index.js';
import { addStaffSession, type TestStaff } from '../staff/test-sessions.js';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';

let t: ClearingTestDb;
let built: BuiltClearing;
let maker: TestStaff;
let checker: TestStaff;
let auditor: TestStaff;
const day = '2001-05-10';

beforeAll(async () => {
  t = await createClearingTestDb();
  built = await buildClearingApp({ db: t.pool, logLevel: 'silent', clock: () => afterCutoff(day) });
  maker = await addStaffSession(t.pool, ['finance'], 'fin_maker');
  checker = await addStaffSession(t.pool, ['finance'], 'fin_checker');
  auditor = await addStaffSession(t.pool, ['auditor'], 'auditor_one');
  await addPayees(t.pool, ['metro', 'bus-east']);
  await clearDayWith(t.pool, '2001-05-09', {});
});
afterAll(async () => {
  await built?.app.close();
  await t?.close();
});

const post = (url: string, who: TestStaff, payload: unknown = {}) =>
  built.app.inject({ method: 'POST', url, headers: who.headers, payload: payload as object });
const get = (url: string, who: TestStaff) =>
  built.app.inject({ method: 'GET', url, headers: who.headers });

describe('settlement over HTTP', () => {
  it('runs, refuses self-approval, approves, instructs, confirms and reports', async () => {
    const seeded = await clearDayWith(t.pool, day, {
      metro: ['5.00', '5.00'],
      'bus-east': ['8.00'],
    });
    // A finance user reruns the computed day: same inputs, same output hash, and now the maker.
    const ran = await post('/v1/runs', maker, { day });
    expect(ran.statusCode).toBe(201);
    const run = ran.json<{ id: string; outputHash: string; totalNet: string; startedBy: string }>();
    expect(run.outputHash).toBe(seeded.outputHash);
    expect(run.startedBy).toBe('fin_maker');

    const self = await post(`/v1/runs/${run.id}/approve`, maker);
    expect(self.statusCode).toBe(403);
    expect(self.json()).toMatchObject({ code: 'SETTLEMENT_SELF_APPROVAL' });
    expect((await post(`/v1/runs/${run.id}/approve`, checker)).statusCode).toBe(200);

    const instructed = await post(`/v1/runs/${run.id}/instruct`, checker);
    expect(instructed.json()).toMatchObject({
      run: { status: 'instructed' },
      paymentFile: { count: 2, total: run.totalNet },
    });
    const file = await get(`/v1/runs/${run.id}/payment-file`, auditor);
    expect(file.headers['content-type']).toMatch(/^text\/csv/);
    expect(file.body.split('\r\n').at(-2)).toBe(`T,2,${run.totalNet}`);

    const confirmed = await post(`/v1/runs/${run.id}/confirmation`, maker, {
      content: fakeBankConfirm(file.body),
    });
    expect(confirmed.json()).toMatchObject({ settled: true, clean: true, counts: { matched: 2 } });

    const csv = await get(`/v1/runs/${run.id}/statements.csv`, auditor);
    const [header, ...rows] = csv.body.trimEnd().split('\r\n');
    expect(header).toContain('operator_id,transactions,gross,commission');
    expect(rows.map((r) => r.split(',')[2])).toEqual(['bus-east', 'metro']);
    expect(rows.every((r) => r.endsWith(run.outputHash))).toBe(true);

    const pdf = await get(`/v1/runs/${run.id}/statements/metro/pdf`, auditor);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.rawPayload.includes(Buffer.from(run.outputHash))).toBe(true);

    const summary = await get(`/v1/days/${day}/summary`, auditor);
    expect(summary.json()).toMatchObject({
      run: { id: run.id, status: 'settled', outputHash: run.outputHash },
      totals: { operators: 2, transactions: 3, net: run.totalNet },
      settlement: { confirmations: 1, lastConfirmationClean: true },
    });
    const settlement = await get(`/v1/runs/${run.id}/settlement`, auditor);
    expect(settlement.json<{ audit: { actor: string; action: string }[] }>().audit).toEqual([
      expect.objectContaining({ actor: 'fin_checker', action: 'settlement.approve' }),
      expect.objectContaining({ actor: 'fin_checker', action: 'settlement.instruct' }),
      expect.objectContaining({ actor: 'fin_maker', action: 'settlement.confirm' }),
    ]);
    expect((await get('/v1/audit/verify', auditor)).json()).toMatchObject({ ok: true });
  });
});
