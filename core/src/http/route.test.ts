import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import { createHttpApp, createRouter, type Principal } from './index.js';

type Role = 'clerk' | 'finance';
const tokens: Record<string, Principal<Role>> = {
  'clerk-token': { id: 's1', roles: ['clerk'] },
  'finance-token': { id: 's2', roles: ['finance'] },
};

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
});

async function build(): Promise<{ app: FastifyInstance; routes: readonly { url: string }[] }> {
  app = await createHttpApp({
    name: 'test',
    logLevel: 'silent',
    openapi: { title: 'test', version: '1' },
  });
  const router = createRouter<Role, Principal<Role>>(app, (request) => {
    const principal = tokens[(request.headers.authorization ?? '').replace(/^Bearer /, '')];
    if (principal === undefined) return Promise.reject(new AppError('UNAUTHENTICATED'));
    return Promise.resolve(principal);
  });
  router.route({
    method: 'POST',
    url: '/top-ups/:cardId',
    summary: 'Top up a card',
    access: ['clerk'],
    params: z.object({ cardId: z.string().regex(/^\d+$/) }),
    body: z.object({ amount: z.string() }),
    response: z.object({ cardId: z.string(), amount: z.string(), by: z.string() }),
    status: 201,
    handler: ({ params, body, principal }) =>
      Promise.resolve({ cardId: params.cardId, amount: body.amount, by: principal.id }),
  });
  router.route({
    method: 'GET',
    url: '/leaky',
    summary: 'Answers more than its schema',
    access: 'authenticated',
    response: z.object({ ok: z.boolean() }),
    handler: () => Promise.resolve({ ok: true, secret: 'x' } as { ok: boolean }),
  });
  router.route({
    method: 'GET',
    url: '/open',
    summary: 'Public',
    access: 'public',
    response: z.object({ ok: z.boolean() }),
    handler: () => Promise.resolve({ ok: true }),
  });
  await app.ready();
  return { app, routes: router.routes() };
}

describe('router', () => {
  it('checks authentication, then the role, before it looks at the body', async () => {
    const { app } = await build();
    const post = (token: string | undefined, payload: unknown) =>
      app.inject({
        method: 'POST',
        url: '/top-ups/12',
        payload: payload as object,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    expect((await post(undefined, { nonsense: 1 })).statusCode).toBe(401);
    const forbidden = await post('finance-token', { nonsense: 1 });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ code: 'FORBIDDEN', details: { allowed: ['clerk'] } });
    const invalid = await post('clerk-token', { amount: 5 });
    expect(invalid.statusCode).toBe(400);
    expect(
      invalid.json<{ details: { issues: { path: string }[] } }>().details.issues[0]?.path,
    ).toBe('body.amount');
    const ok = await post('clerk-token', { amount: '5.00' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ cardId: '12', amount: '5.00', by: 's1' });
  });

  it('sends only what the response schema allows', async () => {
    const { app } = await build();
    const res = await app.inject({
      method: 'GET',
      url: '/leaky',
      headers: { authorization: 'Bearer finance-token' },
    });
    expect(res.json()).toEqual({ ok: true });
  });

  it('lists every route with its access rule and documents it in OpenAPI', async () => {
    const { app, routes } = await build();
    expect(routes.map((r) => r.url)).toEqual(['/top-ups/:cardId', '/leaky', '/open']);
    const doc = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const paths = doc.json<{ paths: Record<string, unknown> }>().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/top-ups/{cardId}', '/open']));
  });
});
