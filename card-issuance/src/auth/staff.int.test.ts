import type { InjectOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUsername, startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import { roles, type Role } from './roles.js';

let t: IssuanceTestApp;
const as = {} as Record<Role, Record<string, string>>;
let adminId: string;

beforeAll(async () => {
  t = await startIssuanceTestApp();
  for (const role of roles) {
    const signed = await t.signIn(role);
    as[role] = signed.headers;
    if (role === 'admin') adminId = signed.staffId;
  }
});
afterAll(async () => {
  await t?.close();
});

const call = (opts: InjectOptions) => t.app.inject(opts);

const newAccount = (over: Record<string, unknown> = {}) => ({
  username: randomUsername('new'),
  displayName: 'New Hire',
  password: 'long enough password',
  roles: ['clerk'],
  ...over,
});

async function create(over: Record<string, unknown> = {}) {
  const res = await call({
    method: 'POST',
    url: '/staff',
    headers: as.admin,
    payload: newAccount(over),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; username: string; roles: Role[] }>();
}

const signIn = (body: { username: unknown; password: unknown }) =>
  call({
    method: 'POST',
    url: '/auth/login',
    payload: { username: body.username, password: body.password },
  });

async function staffCount(): Promise<number> {
  const { rows } = await t.deps.db.query<{ n: string }>('SELECT count(*) AS n FROM staff');
  return Number(rows[0]?.n);
}

async function auditActions(targetId: string): Promise<string[]> {
  const { rows } = await t.deps.db.query<{ action: string; actor_staff_id: string }>(
    `SELECT action, actor_staff_id FROM audit_log WHERE target_type = 'staff' AND target_id = $1
      ORDER BY seq`,
    [targetId],
  );
  for (const r of rows) expect(r.actor_staff_id).toBe(adminId);
  return rows.map((r) => r.action);
}

describe('staff administration: who may', () => {
  const id = randomUUID();
  const routes: (InjectOptions & { method: string; url: string })[] = [
    { method: 'POST', url: '/staff', payload: newAccount() },
    { method: 'GET', url: '/staff' },
    { method: 'GET', url: `/staff/${id}` },
    { method: 'PATCH', url: `/staff/${id}`, payload: { displayName: 'X' } },
    { method: 'POST', url: `/staff/${id}/disable` },
    { method: 'POST', url: `/staff/${id}/enable` },
    {
      method: 'POST',
      url: `/staff/${id}/password`,
      payload: { newPassword: 'long enough password' },
    },
  ];

  it('only admins; every other role gets 403 and nobody signed in gets 401', async () => {
    const before = await staffCount();
    for (const route of routes) {
      expect((await call(route)).statusCode, `${route.method} ${route.url}`).toBe(401);
      for (const role of roles.filter((r) => r !== 'admin')) {
        const res = await call({ ...route, headers: as[role] });
        expect(res.statusCode, `${role} ${route.method} ${route.url}`).toBe(403);
        expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
      }
    }
    expect(await staffCount()).toBe(before);
  });
});

describe('staff administration', () => {
  it('creates an account that can sign in, and audits it', async () => {
    const body = newAccount({ roles: ['clerk', 'finance'] });
    const res = await call({ method: 'POST', url: '/staff', headers: as.admin, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<{ id: string }>();
    expect(created).toMatchObject({
      username: body.username,
      roles: ['clerk', 'finance'],
      disabled: false,
    });
    expect(res.body).not.toContain(body.password);
    const login = await signIn(body);
    expect(login.statusCode).toBe(200);
    expect(await auditActions(created.id)).toEqual(['staff.create']);
  });

  it('refuses bad accounts with a code and creates nothing', async () => {
    const taken = await create();
    const before = await staffCount();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ username: taken.username.toUpperCase() }, 409, 'USERNAME_TAKEN'],
      [{ password: 'short' }, 400, 'VALIDATION_FAILED'],
      [{ roles: [] }, 400, 'VALIDATION_FAILED'],
      [{ roles: ['clerk', 'clerk'] }, 400, 'VALIDATION_FAILED'],
      [{ roles: ['janitor'] }, 400, 'VALIDATION_FAILED'],
      [{ username: 'no spaces allowed' }, 400, 'VALIDATION_FAILED'],
      [{ branchId: randomUUID() }, 404, 'BRANCH_NOT_FOUND'],
      [{ extra: true }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [over, status, code] of cases) {
      const res = await call({
        method: 'POST',
        url: '/staff',
        headers: as.admin,
        payload: newAccount(over),
      });
      expect(res.statusCode, JSON.stringify(over)).toBe(status);
      expect(res.json()).toMatchObject({ code });
    }
    expect(await staffCount()).toBe(before);
  });

  it('lists by role and name prefix, and reads one account', async () => {
    const a = await create({ username: `${randomUsername('list')}`, roles: ['auditor'] });
    const prefix = a.username.slice(0, 10);
    const list = await call({
      method: 'GET',
      url: `/staff?role=auditor&username=${prefix}`,
      headers: as.admin,
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json<{ staff: { id: string }[] }>().staff.map((s) => s.id)).toEqual([a.id]);
    const one = await call({ method: 'GET', url: `/staff/${a.id}`, headers: as.admin });
    expect(one.json()).toMatchObject({ id: a.id, roles: ['auditor'], lockedUntil: null });
    expect(one.body).not.toMatch(/scrypt|password_hash|passwordHash/);
    const missing = await call({ method: 'GET', url: `/staff/${randomUUID()}`, headers: as.admin });
    expect(missing.json()).toMatchObject({ code: 'STAFF_NOT_FOUND' });
  });

  it('changes roles with effect on the next request of a live session', async () => {
    const body = newAccount();
    const { id } = await create(body);
    const login = await signIn(body);
    const headers = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
    expect((await call({ method: 'GET', url: '/audit/verify', headers })).statusCode).toBe(403);
    const res = await call({
      method: 'PATCH',
      url: `/staff/${id}`,
      headers: as.admin,
      payload: { roles: ['auditor'], displayName: 'Now Auditing' },
    });
    expect(res.json()).toMatchObject({ roles: ['auditor'], displayName: 'Now Auditing' });
    expect((await call({ method: 'GET', url: '/audit/verify', headers })).statusCode).toBe(200);
    const empty = await call({
      method: 'PATCH',
      url: `/staff/${id}`,
      headers: as.admin,
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    expect(await auditActions(id)).toEqual(['staff.create', 'staff.update']);
  });

  it('resets a password: old sessions end, a lockout lifts, the new password works', async () => {
    const body = newAccount();
    const { id } = await create(body);
    const login = await signIn(body);
    const headers = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
    await t.deps.db.query(
      `UPDATE staff SET locked_until = now() + interval '1 hour' WHERE id = $1`,
      [id],
    );
    const res = await call({
      method: 'POST',
      url: `/staff/${id}/password`,
      headers: as.admin,
      payload: { newPassword: 'fresh password here' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await call({ method: 'GET', url: '/auth/me', headers })).statusCode).toBe(401);
    const again = await call({
      method: 'POST',
      url: '/auth/login',
      payload: { username: body.username, password: 'fresh password here' },
    });
    expect(again.statusCode).toBe(200);
    expect(await auditActions(id)).toEqual(['staff.create', 'staff.password_reset']);
  });

  it('disables and enables, auditing each change once', async () => {
    const { id } = await create();
    for (const verb of ['disable', 'disable', 'enable']) {
      const res = await call({ method: 'POST', url: `/staff/${id}/${verb}`, headers: as.admin });
      expect(res.statusCode).toBe(200);
    }
    expect(await auditActions(id)).toEqual(['staff.create', 'staff.disable', 'staff.enable']);
  });
});
