import { createHash, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaffSession, type TestStaff } from '../testing/contract-double.js';
import {
  randomId,
  startDistributionApp,
  type DistributionTestApp,
} from '../distribution/distribution.test-support.js';
import { staffRoles, type StaffRole } from '../staff/index.js';

let t: DistributionTestApp;
const staff = new Map<StaffRole | 'clerk', TestStaff>();

beforeAll(async () => {
  t = await startDistributionApp();
  for (const role of [...staffRoles, 'clerk'] as const) {
    staff.set(role, await addStaffSession(t.db, t.issuance, [role]));
  }
});
afterAll(async () => {
  await t.close();
});

const as = (role: StaffRole | 'clerk'): Record<string, string> => staff.get(role)?.headers ?? {};

function concreteUrl(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) => randomId(name));
}

describe('staff authentication', () => {
  it('answers 401 to a missing, malformed, unknown or expired token, all alike', async () => {
    const expired = await addStaffSession(t.db, t.issuance, ['admin']);
    await t.db.query(
      `UPDATE ${t.issuance}.staff_session_contract SET expires_at = now() - interval '1 second'
        WHERE username = $1`,
      [expired.username],
    );
    const attempts = [
      {},
      { authorization: 'Bearer short' },
      { authorization: `Bearer ${'A'.repeat(43)}` },
      { authorization: 'Basic abc' },
      expired.headers,
    ];
    for (const headers of attempts) {
      const res = await t.app.inject({ method: 'GET', url: '/admin/operators', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json<{ code: string }>().code).toBe('UNAUTHENTICATED');
    }
  });

  it('gives an issuance-only role (clerk) nothing on the gateway', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/admin/operators',
      headers: as('clerk'),
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('route × role matrix', () => {
  it('covers every staff route', () => {
    expect(t.routers.staff.routes().length).toBeGreaterThanOrEqual(15);
  });

  it('answers every staff route with 401 without a token', async () => {
    for (const route of t.routers.staff.routes()) {
      const res = await t.app.inject({
        method: route.method,
        url: concreteUrl(route.url),
        payload: route.method === 'GET' ? undefined : {},
      });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });

  it('lets exactly the declared roles through', async () => {
    const wrong: string[] = [];
    for (const route of t.routers.staff.routes()) {
      expect(Array.isArray(route.access), `${route.url} declares its roles`).toBe(true);
      for (const role of staffRoles) {
        const res = await t.app.inject({
          method: route.method,
          url: concreteUrl(route.url),
          headers: as(role),
          payload: route.method === 'GET' ? undefined : {},
        });
        const allowed = (route.access as readonly StaffRole[]).includes(role);
        const denied = res.statusCode === 403 && res.json<{ code: string }>().code === 'FORBIDDEN';
        if (allowed === denied || res.statusCode === 401 || res.statusCode >= 500)
          wrong.push(`${role} ${route.method} ${route.url} → ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps terminal routes away from staff tokens', async () => {
    for (const route of t.routers.terminal.routes()) {
      const res = await t.app.inject({
        method: route.method,
        url: route.url,
        headers: as('admin'),
      });
      expect(res.statusCode, route.url).toBe(401);
    }
  });
});

describe('operators and terminals', () => {
  it('registers an operator and a terminal, disables, enables and retires it', async () => {
    const operatorId = randomId('bus');
    const op = await t.app.inject({
      method: 'POST',
      url: '/admin/operators',
      headers: as('admin'),
      payload: {
        id: operatorId,
        name: 'Jiangbei Bus',
        kind: 'transit',
        cardCode: randomInt(1, 65_536),
      },
    });
    expect(op.statusCode, op.body).toBe(201);
    const again = await t.app.inject({
      method: 'POST',
      url: '/admin/operators',
      headers: as('admin'),
      payload: { id: operatorId, name: 'Again', kind: 'transit', cardCode: randomInt(1, 65_536) },
    });
    expect(again.json<{ code: string }>().code).toBe('OPERATOR_EXISTS');

    const terminalId = randomId('bus-j1');
    const reg = await t.app.inject({
      method: 'POST',
      url: '/admin/terminals',
      headers: as('admin'),
      payload: { id: terminalId, operatorId },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    expect(reg.json<{ status: string }>().status).toBe('registered');

    const step = async (command: string) =>
      t.app.inject({
        method: 'POST',
        url: `/admin/terminals/${terminalId}/${command}`,
        headers: as('admin'),
      });
    expect((await step('disable')).json<{ status: string }>().status).toBe('disabled');
    expect((await step('enable')).json<{ status: string }>().status).toBe('registered');
    expect((await step('retire')).json<{ status: string }>().status).toBe('retired');
    const refused = await step('enable');
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ code: string }>().code).toBe('TERMINAL_STATE_INVALID');

    const { rows } = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE subject = $1 ORDER BY id`,
      [`terminal:${terminalId}`],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'terminal.register',
      'terminal.disable',
      'terminal.enable',
      'terminal.retire',
    ]);
  });

  it('shows an enrolment token once and keeps only its hash', async () => {
    const operatorId = randomId('metro');
    await t.app.inject({
      method: 'POST',
      url: '/admin/operators',
      headers: as('admin'),
      payload: { id: operatorId, name: 'Metro', kind: 'transit', cardCode: randomInt(1, 65_536) },
    });
    const terminalId = randomId('gate');
    await t.app.inject({
      method: 'POST',
      url: '/admin/terminals',
      headers: as('admin'),
      payload: { id: terminalId, operatorId },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: `/admin/terminals/${terminalId}/enrolment-tokens`,
      headers: as('admin'),
      payload: { ttlHours: 2 },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { token, expiresAt } = res.json<{ token: string; expiresAt: string }>();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(7_100_000);
    const { rows } = await t.db.query<{ token_hash: Buffer; operator_id: string }>(
      'SELECT token_hash, operator_id FROM enrolment_tokens WHERE terminal_id = $1',
      [terminalId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash.equals(createHash('sha256').update(token).digest())).toBe(true);
    expect(rows[0]?.operator_id).toBe(operatorId);
    const stored = await t.db.query(
      `SELECT 1 FROM audit_events WHERE details::text LIKE '%' || $1 || '%'`,
      [token],
    );
    expect(stored.rowCount).toBe(0);
  });
});
