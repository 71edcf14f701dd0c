import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClearingApp, type BuiltClearing } from '../app.js';
import { staffRoles } from '../staff/index.js';
import { addStaffSession } from '../staff/test-sessions.js';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';

/**
 * Every route × every role: a role the route allows is never told 401/403, a role it does not
 * allow always gets 403 before anything is parsed or changed, a clerk (an issuance role with no
 * rights here) gets 403 everywhere, and no token at all gets 401. Routes come from the router.
 */
let t: ClearingTestDb;
let built: BuiltClearing;
const headers = new Map<string, Record<string, string>>();
const roles = [...staffRoles, 'clerk'] as const;

beforeAll(async () => {
  t = await createClearingTestDb();
  built = await buildClearingApp({ db: t.pool, logLevel: 'silent' });
  for (const role of roles) headers.set(role, (await addStaffSession(t.pool, [role])).headers);
});
afterAll(async () => {
  await built?.app.close();
  await t?.close();
});

function concreteUrl(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) =>
    name === 'day' ? '2001-01-01' : name === 'operatorId' ? 'metro' : randomUUID(),
  );
}

describe('route × role matrix', () => {
  it('has routes to check', () => {
    expect(built.router.routes().length).toBeGreaterThanOrEqual(24);
  });

  it('documents every route in the OpenAPI document', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/runs/{runId}/approve',
        '/v1/runs/{runId}/hours',
        '/v1/parties',
        '/v1/parties/{partyId}',
        '/v1/fee-schedules',
        '/v1/subsidy-rules',
      ]),
    );
  });

  it('answers every protected route with 401 without a token', async () => {
    for (const route of built.router.routes().filter((r) => r.access !== 'public')) {
      const res = await built.app.inject({
        method: route.method,
        url: concreteUrl(route.url),
        payload: route.method === 'GET' ? undefined : {},
      });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });

  it('lets exactly the declared roles through', async () => {
    const wrong: string[] = [];
    for (const route of built.router.routes()) {
      if (route.access === 'public' || route.access === 'authenticated') {
        wrong.push(`${route.method} ${route.url} declares no roles`);
        continue;
      }
      for (const role of roles) {
        const res = await built.app.inject({
          method: route.method,
          url: concreteUrl(route.url),
          headers: headers.get(role) ?? {},
          payload: route.method === 'GET' ? undefined : {},
        });
        const allowed = (route.access as readonly string[]).includes(role);
        const denied = res.statusCode === 403 && res.json<{ code: string }>().code === 'FORBIDDEN';
        if (allowed === denied || res.statusCode === 401 || res.statusCode >= 500)
          wrong.push(`${role} ${route.method} ${route.url} → ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
