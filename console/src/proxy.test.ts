import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '@citycard/core/http';
import { buildConsoleApp } from './console-app.js';

const BROWSER = '203.0.113.7';

let webRoot: string;
let trusting: FastifyInstance;
let distrusting: FastifyInstance;
let app: FastifyInstance;

/** A service that says whom it believes it is talking to. */
async function startService(trustProxy: readonly string[]): Promise<FastifyInstance> {
  const service = await createHttpApp({ name: 'echo', logLevel: 'silent', trustProxy });
  service.get('/whoami', (request) => ({
    ip: request.ip,
    protocol: request.protocol,
    forwardedFor: request.headers['x-forwarded-for'] ?? null,
  }));
  await service.listen({ host: '127.0.0.1', port: 0 });
  return service;
}

const urlOf = (s: FastifyInstance): string =>
  `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;

beforeAll(async () => {
  webRoot = await mkdtemp(join(tmpdir(), 'console-web-'));
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>console</title>');
  trusting = await startService(['127.0.0.1']);
  distrusting = await startService([]);
  app = await buildConsoleApp({
    issuanceUrl: urlOf(trusting),
    gatewayUrl: urlOf(distrusting),
    clearingUrl: urlOf(distrusting),
    webRoot,
    logLevel: 'silent',
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await trusting?.close();
  await distrusting?.close();
  if (webRoot !== undefined) await rm(webRoot, { recursive: true, force: true });
});

describe('the client address behind the console', () => {
  it("reaches a service that trusts the console as the browser's address", async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/issuance/whoami',
      remoteAddress: BROWSER,
    });
    expect(res.json()).toEqual({ ip: BROWSER, protocol: 'http', forwardedFor: BROWSER });
  });

  it("is the console's own address at a service that trusts no proxy", async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/gateway/whoami',
      remoteAddress: BROWSER,
    });
    expect(res.json()).toMatchObject({ ip: '127.0.0.1', forwardedFor: BROWSER });
  });

  it('cannot be forged by the browser', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/issuance/whoami',
      remoteAddress: BROWSER,
      headers: {
        'x-forwarded-for': '198.51.100.1',
        'x-forwarded-proto': 'https',
        forwarded: 'for=198.51.100.1',
      },
    });
    expect(res.json()).toEqual({ ip: BROWSER, protocol: 'http', forwardedFor: BROWSER });
  });
});
