import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdmin, buildIssuanceApp, service } from '@citycard/card-issuance';
import { buildConsoleApp } from '@citycard/console';
import { createScratchDatabase, withTransaction, type ScratchDatabase } from '@citycard/core/db';
import { issuanceDepsOn } from './services.js';

/**
 * Issuance behind the console: with ISSUANCE_TRUST_PROXY naming the console, sign-in records and
 * the sign-in rate limit see the browser's address; without it, every browser is the console.
 */
const ALICE = '203.0.113.7';
const BOB = '198.51.100.23';

let db: ScratchDatabase;
let webRoot: string;
const closers: (() => Promise<unknown>)[] = [];
const admin = {
  username: `admin_${randomBytes(4).toString('hex')}`,
  password: randomBytes(12).toString('base64url'),
};

/** An issuance app on its own port, and a console in front of it. */
async function consoleBefore(trustProxy: readonly string[]): Promise<FastifyInstance> {
  const { app: issuance } = await buildIssuanceApp(issuanceDepsOn(db.pool), 'silent', {
    trustProxy,
  });
  const issuanceUrl = await issuance.listen({ host: '127.0.0.1', port: 0 });
  const app = await buildConsoleApp({
    issuanceUrl,
    gatewayUrl: 'http://127.0.0.1:9',
    clearingUrl: 'http://127.0.0.1:9',
    webRoot,
    logLevel: 'silent',
  });
  closers.push(
    () => app.close(),
    () => issuance.close(),
  );
  return app;
}

function login(app: FastifyInstance, from: string, username: string, password: string) {
  return app.inject({
    method: 'POST',
    url: '/api/issuance/auth/login',
    remoteAddress: from,
    payload: { username, password },
  });
}

async function ipsOfLogins(username: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ ip: string }>(
    'SELECT ip FROM login_events WHERE username = $1 ORDER BY at, ip',
    [username],
  );
  return rows.map((r) => r.ip);
}

beforeAll(async () => {
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (!serverUrl) throw new Error('DATABASE_URL is not set: run the integration project');
  db = await createScratchDatabase({
    serverUrl,
    prefix: 'console_client_ip',
    applicationName: 'citycard-console-client-ip',
    searchPath: [service.schema, 'public'],
    migrations: [service.migrations],
  });
  await withTransaction(db.pool, (tx) => bootstrapAdmin(tx, admin));
  webRoot = await mkdtemp(join(tmpdir(), 'console-web-'));
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>console</title>');
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await db?.close();
  if (webRoot !== undefined) await rm(webRoot, { recursive: true, force: true });
});

describe("issuance behind the console sees the browser's address", () => {
  it('when it trusts the console: in sign-in records, sessions and the rate limit', async () => {
    const app = await consoleBefore(['127.0.0.1']);
    const ok = await login(app, ALICE, admin.username, admin.password);
    expect(ok.statusCode, ok.body).toBe(200);
    const { rows } = await db.pool.query<{ ip: string }>(
      'SELECT s.ip FROM sessions s JOIN staff u ON u.id = s.staff_id WHERE u.username = $1',
      [admin.username],
    );
    expect(rows.map((r) => r.ip)).toEqual([ALICE]);

    // Guessing at one account from one address is slowed there, not at every other counter.
    const target = `nobody_${randomBytes(4).toString('hex')}`;
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await login(app, ALICE, target, 'x')).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes[10]).toBe(429);
    expect((await login(app, BOB, target, 'x')).statusCode).toBe(401);
    const ips = await ipsOfLogins(target);
    expect(ips.filter((ip) => ip === ALICE)).toHaveLength(10);
    expect(ips.filter((ip) => ip === BOB)).toHaveLength(1);
  });

  it("when it trusts no proxy: the console's address, and one limit for everybody", async () => {
    const app = await consoleBefore([]);
    const target = `nobody_${randomBytes(4).toString('hex')}`;
    for (let i = 0; i < 10; i++) await login(app, ALICE, target, 'x');
    expect((await login(app, BOB, target, 'x')).statusCode).toBe(429);
    expect(new Set(await ipsOfLogins(target))).toEqual(new Set(['127.0.0.1']));
  });
});
