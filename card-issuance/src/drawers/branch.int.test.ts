import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import { auditActions, makeBranch, randomCode, type Headers } from './test-support.js';

let t: IssuanceTestApp;
const as = {} as Record<'admin' | 'supervisor' | 'auditor' | 'clerk' | 'finance', Headers>;

beforeAll(async () => {
  t = await startIssuanceTestApp();
  for (const role of ['admin', 'supervisor', 'auditor', 'clerk', 'finance'] as const) {
    as[role] = (await t.signIn(role)).headers;
  }
});
afterAll(async () => {
  await t?.close();
});

const inject = (
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  headers: Headers,
  payload?: object,
) => t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

async function branchCount(code: string): Promise<number> {
  const { rows } = await t.deps.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM issuance.branches WHERE code = $1',
    [code],
  );
  return rows[0]?.n ?? 0;
}

describe('branches', () => {
  it('are opened by an administrator, with the code upper-cased and unique', async () => {
    const code = randomCode('b');
    const made = await inject('POST', '/branches', as.admin, { code, name: 'Jing An' });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ code: code.toUpperCase(), address: null, closedAt: null });

    const again = await inject('POST', '/branches', as.admin, { code, name: 'Other' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'BRANCH_CODE_TAKEN' });
    expect(await branchCount(code.toUpperCase())).toBe(1);
    expect(await auditActions(t.deps.db, made.json<{ id: string }>().id)).toEqual([
      'branch.create',
    ]);
  });

  it('refuse malformed input and change nothing', async () => {
    const code = randomCode('B');
    for (const payload of [
      { code: `${code}-TOO-LONG-FOR-A-CODE`, name: 'x' },
      { code: 'A B', name: 'x' },
      { code, name: '' },
      { code, name: 'x', extra: 1 },
      { code, name: 'tab\u0007bell' },
    ]) {
      const res = await inject('POST', '/branches', as.admin, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(await branchCount(code)).toBe(0);
  });

  it('are listed for supervisors and auditors, not for clerks or finance', async () => {
    const { branchId } = await makeBranch(t, as.admin, 0);
    for (const role of ['admin', 'supervisor', 'auditor'] as const) {
      const res = await inject('GET', '/branches', as[role]);
      expect(res.statusCode).toBe(200);
      expect(res.json<{ items: { id: string }[] }>().items.map((b) => b.id)).toContain(branchId);
    }
    for (const role of ['clerk', 'finance'] as const) {
      expect((await inject('GET', '/branches', as[role])).statusCode).toBe(403);
    }
  });

  it('close only when no drawer is open there, and then take no new counters', async () => {
    const place = await makeBranch(t, as.admin, 1);
    const clerk = await t.signIn('clerk', { branchId: place.branchId });
    const open = await inject('POST', '/drawers/open', clerk.headers, {
      counterId: place.counterIds[0],
      openingFloat: '10.00',
    });
    expect(open.statusCode, open.body).toBe(201);
    const busy = await inject('POST', `/branches/${place.branchId}/close`, as.admin);
    expect(busy.json()).toMatchObject({ code: 'BRANCH_BUSY' });

    const close = await inject('POST', '/drawers/current/close', clerk.headers, {
      countedCash: '10.00',
    });
    expect(close.statusCode, close.body).toBe(200);
    const closed = await inject('POST', `/branches/${place.branchId}/close`, as.admin);
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json<{ closedAt: string | null }>().closedAt).not.toBeNull();

    const counter = await inject('POST', `/branches/${place.branchId}/counters`, as.admin, {
      code: 'LATE',
      name: 'Late',
    });
    expect(counter.json()).toMatchObject({ code: 'BRANCH_CLOSED' });
    const reopen = await inject('POST', '/drawers/open', clerk.headers, {
      counterId: place.counterIds[0],
      openingFloat: '10.00',
    });
    expect(reopen.json()).toMatchObject({ code: 'BRANCH_CLOSED' });

    const list = await inject('GET', '/branches', as.admin);
    expect(list.json<{ items: { id: string }[] }>().items.map((b) => b.id)).not.toContain(
      place.branchId,
    );
    const all = await inject('GET', '/branches?includeClosed=true', as.admin);
    expect(all.json<{ items: { id: string }[] }>().items.map((b) => b.id)).toContain(
      place.branchId,
    );
  });
});

describe('counters', () => {
  it('have a code unique within their branch, and clerks may list them', async () => {
    const a = await makeBranch(t, as.admin, 0);
    const b = await makeBranch(t, as.admin, 0);
    const add = (branchId: string) =>
      inject('POST', `/branches/${branchId}/counters`, as.admin, { code: 'w1', name: 'Window 1' });
    expect((await add(a.branchId)).statusCode).toBe(201);
    expect((await add(b.branchId)).statusCode).toBe(201);
    const again = await add(a.branchId);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'COUNTER_CODE_TAKEN' });

    const list = await inject('GET', `/branches/${a.branchId}/counters`, as.clerk);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ items: [{ code: 'W1', active: true }] });
    const unknown = await inject('GET', `/branches/${randomUUID()}/counters`, as.clerk);
    expect(unknown.json()).toMatchObject({ code: 'BRANCH_NOT_FOUND' });
    const orphan = await add(randomUUID());
    expect(orphan.json()).toMatchObject({ code: 'BRANCH_NOT_FOUND' });
  });

  it('are taken out of service by an administrator only, and then open no drawer', async () => {
    const place = await makeBranch(t, as.admin, 1);
    const url = `/counters/${place.counterIds[0]}`;
    expect((await inject('PATCH', url, as.supervisor, { active: false })).statusCode).toBe(403);
    expect((await inject('PATCH', url, as.admin, {})).statusCode).toBe(400);
    const off = await inject('PATCH', url, as.admin, { active: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ active: false });
    const same = await inject('PATCH', url, as.admin, { active: false });
    expect(same.statusCode).toBe(200);
    expect(await auditActions(t.deps.db, place.counterIds[0] ?? '')).toEqual([
      'counter.create',
      'counter.update',
    ]);

    const clerk = await t.signIn('clerk', { branchId: place.branchId });
    const open = await inject('POST', '/drawers/open', clerk.headers, {
      counterId: place.counterIds[0],
      openingFloat: '0.00',
    });
    expect(open.statusCode).toBe(409);
    expect(open.json()).toMatchObject({ code: 'COUNTER_INACTIVE' });
    const missing = await inject('PATCH', `/counters/${randomUUID()}`, as.admin, { active: true });
    expect(missing.json()).toMatchObject({ code: 'COUNTER_NOT_FOUND' });
  });
});
