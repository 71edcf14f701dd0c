import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@citycard/core/db';
import { randomUsername, startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import type { Role } from './roles.js';
import { createStaff } from './staff.js';

const settings = { lockoutThreshold: 3, lockoutSeconds: 600, sessionTtlSeconds: 900 };
let t: IssuanceTestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await startIssuanceTestApp({ settings });
  admin = (await t.signIn('admin')).headers;
});
afterAll(async () => {
  await t?.close();
});

async function newStaff(roles: Role[] = ['clerk']) {
  const username = randomUsername('user');
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const { id } = await withTransaction(t.deps.db, (tx) =>
    createStaff(tx, { username, displayName: 'Someone', password, roles }),
  );
  return { id, username, password };
}

const login = (username: string, password: string, extra: Record<string, unknown> = {}) =>
  t.app.inject({ method: 'POST', url: '/auth/login', payload: { username, password, ...extra } });

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = (token: string) =>
  t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });

async function tokenOf(username: string, password: string): Promise<string> {
  const res = await login(username, password);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ token: string }>().token;
}

async function events(staffId: string) {
  const { rows } = await t.deps.db.query<{ outcome: string; reason: string }>(
    'SELECT outcome, reason FROM login_events WHERE staff_id = $1 ORDER BY id',
    [staffId],
  );
  return rows.map((r) => `${r.outcome}:${r.reason}`);
}

describe('signing in', () => {
  it('answers a token for the right password, whatever the case of the name', async () => {
    const s = await newStaff(['clerk', 'supervisor']);
    const before = t.deps.clock().getTime();
    const res = await login(s.username.toUpperCase(), s.password);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ token: string; expiresAt: string; staff: unknown }>();
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.expiresAt) - before).toBeGreaterThanOrEqual(900_000);
    expect(Date.parse(body.expiresAt) - before).toBeLessThan(905_000);
    expect(body.staff).toEqual({
      id: s.id,
      username: s.username,
      displayName: 'Someone',
      roles: ['clerk', 'supervisor'],
      branchId: null,
    });
    const who = await me(body.token);
    expect(who.statusCode).toBe(200);
    expect(who.json()).toMatchObject({ staff: { id: s.id }, counterId: null });
    expect(await events(s.id)).toEqual(['success:ok']);
  });

  it('gives the same answer for an unknown name and a wrong password', async () => {
    const s = await newStaff();
    const unknown = await login(randomUsername('nobody'), s.password);
    const wrong = await login(s.username, `${s.password}x`);
    for (const res of [unknown, wrong]) expect(res.statusCode).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(unknown.json())).toEqual(strip(wrong.json()));
    expect(wrong.json()).toMatchObject({ code: 'LOGIN_FAILED', retryable: false });
    expect(await events(s.id)).toEqual(['failure:wrong_password']);
  });

  it('locks an account after failures in a row and opens it when the lock runs out', async () => {
    const s = await newStaff();
    expect((await login(s.username, 'wrong-1')).statusCode).toBe(401);
    expect((await login(s.username, 'wrong-2')).statusCode).toBe(401);
    const third = await login(s.username, 'wrong-3');
    expect(third.statusCode).toBe(423);
    expect(third.json()).toMatchObject({
      code: 'ACCOUNT_LOCKED',
      details: { retryAfterSeconds: 600 },
    });
    // Locked means locked: even the right password is turned away.
    expect((await login(s.username, s.password)).json()).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    t.advanceClock(601);
    expect((await login(s.username, s.password)).statusCode).toBe(200);
    expect(await events(s.id)).toEqual([
      'failure:wrong_password',
      'failure:wrong_password',
      'failure:wrong_password',
      'failure:locked',
      'success:ok',
    ]);
  });

  it('counts only failures in a row: a success starts the count again', async () => {
    const s = await newStaff();
    for (const password of ['x-1', 'x-2', s.password, 'x-3', 'x-4'])
      await login(s.username, password);
    const { rows } = await t.deps.db.query(
      'SELECT failed_logins, locked_until FROM staff WHERE id = $1',
      [s.id],
    );
    expect(rows[0]).toEqual({ failed_logins: 2, locked_until: null });
  });

  it('refuses a disabled account with the plain failure, and its tokens stop working', async () => {
    const s = await newStaff();
    const token = await tokenOf(s.username, s.password);
    const off = await t.app.inject({
      method: 'POST',
      url: `/staff/${s.id}/disable`,
      headers: admin,
    });
    expect(off.statusCode, off.body).toBe(200);
    expect((await me(token)).statusCode).toBe(401);
    expect((await login(s.username, s.password)).json()).toMatchObject({ code: 'LOGIN_FAILED' });
    await t.app.inject({ method: 'POST', url: `/staff/${s.id}/enable`, headers: admin });
    // Enabling does not bring old sessions back.
    expect((await me(token)).statusCode).toBe(401);
    expect((await login(s.username, s.password)).statusCode).toBe(200);
  });

  it('signs in at a known counter only, and says so when the counter is unknown', async () => {
    const s = await newStaff();
    const res = await login(s.username, s.password, { counterId: randomUUID() });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'COUNTER_NOT_FOUND' });
    const { rows } = await t.deps.db.query('SELECT 1 FROM sessions WHERE staff_id = $1', [s.id]);
    expect(rows).toHaveLength(0);
  });

  it('turns bad input away with a 400 and records nothing', async () => {
    const s = await newStaff();
    for (const payload of [
      {},
      { username: s.username },
      { username: s.username, password: 'x', counterId: 'nope' },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/auth/login', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(await events(s.id)).toEqual([]);
  });
});

describe('sessions', () => {
  it('expire after the session lifetime', async () => {
    const s = await newStaff();
    const token = await tokenOf(s.username, s.password);
    t.advanceClock(899);
    expect((await me(token)).statusCode).toBe(200);
    t.advanceClock(2);
    const res = await me(token);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('end on logout, that session only', async () => {
    const s = await newStaff();
    const [a, b] = [await tokenOf(s.username, s.password), await tokenOf(s.username, s.password)];
    const out = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(a) });
    expect(out.statusCode).toBe(200);
    expect((await me(a)).statusCode).toBe(401);
    expect((await me(b)).statusCode).toBe(200);
    expect(
      (await t.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(a) })).statusCode,
    ).toBe(401);
  });

  it('refuse missing, malformed and unknown tokens alike', async () => {
    const answers = await Promise.all(
      [
        {},
        { authorization: 'Bearer' },
        { authorization: 'Basic dXNlcjpwYXNz' },
        { authorization: 'Bearer not-a-token' },
        bearer(randomBytes(32).toString('base64url')),
      ].map((headers) => t.app.inject({ method: 'GET', url: '/auth/me', headers })),
    );
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('store only a hash of the token', async () => {
    const s = await newStaff();
    const token = await tokenOf(s.username, s.password);
    const { rows } = await t.deps.db.query<{ text: string }>(
      `SELECT string_agg(row_to_json(x)::text, '') AS text FROM sessions x WHERE staff_id = $1`,
      [s.id],
    );
    expect(rows[0]?.text).toBeTruthy();
    expect(rows[0]?.text).not.toContain(token);
    expect(rows[0]?.text).not.toContain(Buffer.from(token).toString('hex'));
  });
});

describe('changing your own password', () => {
  it('needs the current one, then ends your other sessions but not this one', async () => {
    const s = await newStaff();
    const [mine, other] = [
      await tokenOf(s.username, s.password),
      await tokenOf(s.username, s.password),
    ];
    const change = (currentPassword: string) =>
      t.app.inject({
        method: 'POST',
        url: '/auth/password',
        headers: bearer(mine),
        payload: { currentPassword, newPassword: 'a brand new passphrase' },
      });
    expect((await change('not the password')).json()).toMatchObject({
      code: 'CURRENT_PASSWORD_WRONG',
    });
    expect((await change(s.password)).statusCode).toBe(200);
    expect((await me(mine)).statusCode).toBe(200);
    expect((await me(other)).statusCode).toBe(401);
    expect((await login(s.username, s.password)).statusCode).toBe(401);
    expect((await login(s.username, 'a brand new passphrase')).statusCode).toBe(200);
  });
});

describe('logs', () => {
  it('never carry a password or a token', async () => {
    const s = await newStaff();
    const token = await tokenOf(s.username, s.password);
    await me(token);
    await login(s.username, `${s.password}-wrong`);
    await t.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(token) });
    const logs = t.logs();
    expect(logs).toContain('incoming request');
    expect(logs).not.toContain(s.password);
    expect(logs).not.toContain(token);
  });
});
