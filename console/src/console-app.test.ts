import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleApp } from './console-app.js';
import { contentSecurityPolicy } from './security-headers.js';

const TOKEN = 'Sk9uZS1vZi10aGlzLWlzLWEtcmVhbC10b2tlbi1hdC1hbGw';

let webRoot: string;
let upstream: FastifyInstance;
let app: FastifyInstance;
const logLines: string[] = [];

/** A service stand-in that answers with what reached it. */
async function startUpstream(): Promise<FastifyInstance> {
  const echo = Fastify();
  echo.all('/*', (request) => ({
    method: request.method,
    url: request.url,
    authorization: request.headers.authorization ?? null,
    cookie: request.headers.cookie ?? null,
    requestId: request.headers['x-request-id'] ?? null,
    body: request.body ?? null,
  }));
  await echo.listen({ host: '127.0.0.1', port: 0 });
  return echo;
}

beforeAll(async () => {
  webRoot = await mkdtemp(join(tmpdir(), 'console-web-'));
  await mkdir(join(webRoot, 'assets'));
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(webRoot, 'assets', 'index-abc123.js'), 'export {};');
  upstream = await startUpstream();
  const url = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
  app = await buildConsoleApp({
    issuanceUrl: url,
    gatewayUrl: url,
    // Nothing listens on port 9 (discard) here: the proxy must answer for the missing service.
    clearingUrl: 'http://127.0.0.1:9',
    webRoot,
    readerAgentOrigins: ['http://127.0.0.1:8090'],
    logLevel: 'info',
  });
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  (app.log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = sink;
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await upstream?.close();
  if (webRoot !== undefined) await rm(webRoot, { recursive: true, force: true });
});

describe('console server', () => {
  it('serves the web app with security headers, index.html never cached', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toBe(
      contentSecurityPolicy(['http://127.0.0.1:8090']),
    );
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('caches hashed assets for good', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toMatch(/immutable/);
  });

  it('answers index.html for other paths, but a coded 404 under /api', async () => {
    const page = await app.inject({ method: 'GET', url: '/counter/drawer' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>console</title>');
    const api = await app.inject({ method: 'GET', url: '/api/unknown/thing' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('proxies /api/<service>/ with the bearer token and body, without cookies', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/issuance/cards/issue?x=1',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        cookie: 'tracking=1',
        'x-request-id': 'console-test-0001',
        'content-type': 'application/json',
      },
      payload: { uid: '04A1B2C3', secret: 'a body is never logged' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      method: 'POST',
      url: '/cards/issue?x=1',
      authorization: `Bearer ${TOKEN}`,
      cookie: null,
      requestId: 'console-test-0001',
      body: { uid: '04A1B2C3', secret: 'a body is never logged' },
    });
    expect(res.headers['content-security-policy']).toBeDefined();
  });

  it('answers SERVICE_UNAVAILABLE when a service does not answer', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/clearing/v1/runs' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { service: 'clearing' },
    });
  });

  it('logs requests without their token or body', () => {
    const text = logLines.join('');
    expect(text).toContain('/api/issuance/cards/issue');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('never logged');
  });

  it('refuses a reader agent origin off the loopback', async () => {
    await expect(
      buildConsoleApp({
        issuanceUrl: 'http://127.0.0.1:1',
        gatewayUrl: 'http://127.0.0.1:1',
        clearingUrl: 'http://127.0.0.1:1',
        webRoot,
        readerAgentOrigins: ['http://agent.example.com:8090'],
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses to start without a built web app', async () => {
    await expect(
      buildConsoleApp({
        issuanceUrl: 'http://127.0.0.1:1',
        gatewayUrl: 'http://127.0.0.1:1',
        clearingUrl: 'http://127.0.0.1:1',
        webRoot: join(webRoot, 'missing'),
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
