import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '@citycard/core/http';
import { service } from '../service.js';
import { registerDistribution } from './register.js';
import {
  enrolledTerminal,
  signedGet,
  startDistributionApp,
  type DistributionTestApp,
} from './distribution.test-support.js';

const redisUrl = process.env.REDIS_URL?.trim();
let t: DistributionTestApp;
const apps: FastifyInstance[] = [];

/** Another gateway instance on the same database, limiting through `url`. */
async function instance(url: string, prefix: string, burst: number): Promise<FastifyInstance> {
  const app = await createHttpApp({ name: service.name, logLevel: 'silent' });
  await registerDistribution(app, {
    ...t.deps,
    redisUrl: url,
    distribution: { rateLimits: { perSecond: 0.001, burst }, rateLimitKeyPrefix: prefix },
  });
  await app.ready();
  apps.push(app);
  return app;
}

beforeAll(async () => {
  t = await startDistributionApp();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await t.close();
});

describe.skipIf(redisUrl === undefined)('terminal rate limits through Redis', () => {
  it('are one budget per terminal across gateway instances', async () => {
    const prefix = `citycard:test:rate:${randomBytes(4).toString('hex')}:`;
    const a = await instance(redisUrl ?? '', prefix, 4);
    const b = await instance(redisUrl ?? '', prefix, 4);
    const terminal = await enrolledTerminal(t);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await (i % 2 === 0 ? a : b).inject(signedGet(t, terminal, '/v1/config'));
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    // Another terminal has a budget of its own.
    const other = await enrolledTerminal(t);
    expect((await b.inject(signedGet(t, other, '/v1/config'))).statusCode).toBe(200);
  });
});

describe('terminal rate limits while Redis is away', () => {
  it('fall back to this process’s own buckets, and requests are still answered', async () => {
    // Nothing listens on port 1: every Redis call fails at once.
    const app = await instance('redis://127.0.0.1:1', 'citycard:test:rate:down:', 2);
    const terminal = await enrolledTerminal(t);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await app.inject(signedGet(t, terminal, '/v1/config'))).statusCode);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});
