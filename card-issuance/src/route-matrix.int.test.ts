import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from './auth/roles.js';
import { startIssuanceTestApp, type IssuanceTestApp } from './testing/harness.js';

/**
 * Walks every route × every role: a role the route allows is never told 401/403, a role it does
 * not allow always gets 403 before anything is parsed or changed, and no token at all gets 401.
 * Routes are taken from the router itself, so a new route is covered the day it is added.
 */
let t: IssuanceTestApp;
const headers = new Map<Role, Record<string, string>>();

beforeAll(async () => {
  t = await startIssuanceTestApp();
  for (const role of roles) headers.set(role, (await t.signIn(role)).headers);
});
afterAll(async () => {
  await t.close();
});

function concreteUrl(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) =>
    name === 'code' ? 'standard' : name === 'cardNumber' ? '31000000000000001' : randomUUID(),
  );
}

describe('route × role matrix', () => {
  it('has routes to check', () => {
    expect(t.router.routes().length).toBeGreaterThan(20);
  });

  it('answers every protected route with 401 without a token', async () => {
    for (const route of t.router.routes().filter((r) => r.access !== 'public')) {
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
    for (const route of t.router
      .routes()
      .filter((r) => r.access !== 'public' && r.access !== 'authenticated')) {
      for (const role of roles) {
        const res = await t.app.inject({
          method: route.method,
          url: concreteUrl(route.url),
          headers: headers.get(role) ?? {},
          payload: route.method === 'GET' ? undefined : {},
        });
        const allowed = (route.access as readonly Role[]).includes(role);
        const denied = res.statusCode === 403 && res.json<{ code: string }>().code === 'FORBIDDEN';
        if (allowed === denied || res.statusCode === 401)
          wrong.push(`${role} ${route.method} ${route.url} → ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
