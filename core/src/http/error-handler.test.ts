import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import { errorHandlerPlugin, parseInput, requestIdFrom } from './index.js';

let app: FastifyInstance | undefined;
const logged: unknown[] = [];

async function build(): Promise<FastifyInstance> {
  logged.length = 0;
  const stream = { write: (line: string) => logged.push(JSON.parse(line)) };
  app = Fastify({ logger: { level: 'info', stream }, genReqId: requestIdFrom });
  await app.register(errorHandlerPlugin);
  app.get('/cards/:id', () => {
    throw new AppError('CONFLICT', { message: 'Card 42 is blocked', details: { cardId: '42' } });
  });
  app.post('/top-ups', (request) => {
    const body = parseInput(
      z.object({
        amount: z.string().regex(/^\d+\.\d{2}$/),
        card: z.object({ number: z.string() }),
      }),
      request.body,
      'body',
    );
    return body;
  });
  app.get('/raw-zod', () => z.object({ n: z.number() }).parse({ n: 'x' }));
  app.get('/boom', () => {
    throw new Error(
      'connection to 10.0.0.5 failed: password authentication failed for user "issuer"',
    );
  });
  return app;
}

afterEach(async () => {
  await app?.close();
});

describe('error handler plugin', () => {
  it('answers a catalogue error with its code, message, status and the request id', async () => {
    const server = await build();
    const res = await server.inject({
      method: 'GET',
      url: '/cards/42',
      headers: { 'x-request-id': 'req-0000001' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      code: 'CONFLICT',
      message: 'Card 42 is blocked',
      requestId: 'req-0000001',
      retryable: false,
      details: { cardId: '42' },
    });
  });

  it('answers a zod failure with 400 and every field path', async () => {
    const server = await build();
    const res = await server.inject({
      method: 'POST',
      url: '/top-ups',
      payload: { amount: 12.5, card: {} },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; details: { issues: { path: string }[] } }>();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.issues.map((i) => i.path).sort()).toEqual([
      'body.amount',
      'body.card.number',
    ]);
    const raw = await server.inject({ method: 'GET', url: '/raw-zod' });
    expect(raw.statusCode).toBe(400);
    expect(raw.json<{ details: { issues: { path: string }[] } }>().details.issues[0]?.path).toBe(
      'n',
    );
  });

  it('answers anything else with a bare 500, logged with the request id, no internals leaked', async () => {
    const server = await build();
    const res = await server.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    const body = res.json<{ code: string; message: string; requestId: string }>();
    expect(body).toEqual({
      code: 'INTERNAL',
      message: 'Internal error',
      requestId: body.requestId,
      retryable: true,
    });
    expect(res.body).not.toContain('10.0.0.5');
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const entry = logged.find((l) => (l as { msg?: string }).msg === 'unhandled error') as
      { reqId: string } | undefined;
    expect(entry?.reqId).toBe(body.requestId);
  });

  it('answers malformed JSON and unknown routes in the same shape', async () => {
    const server = await build();
    const bad = await server.inject({
      method: 'POST',
      url: '/top-ups',
      payload: '{"amount":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ code: string }>().code).toBe('VALIDATION_FAILED');
    const missing = await server.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'NOT_FOUND', message: 'No route GET /nowhere' });
  });

  it('replaces an unsafe caller request id', async () => {
    const server = await build();
    const res = await server.inject({
      method: 'GET',
      url: '/cards/1',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });
    expect(res.json<{ requestId: string }>().requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
