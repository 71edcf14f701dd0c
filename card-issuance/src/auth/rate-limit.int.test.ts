import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUsername, startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';

const redisUrl = process.env.REDIS_URL?.trim();

function attempts(t: IssuanceTestApp, username: string, n: number, ip = '203.0.113.7') {
  return Promise.all(
    Array.from({ length: n }, () =>
      t.app.inject({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: ip,
        payload: { username, password: 'guess-guess-guess' },
      }),
    ),
  );
}

function expectLimited(app: () => IssuanceTestApp) {
  return async () => {
    const t = app();
    const name = randomUsername('target');
    const answers = await attempts(t, name, 12);
    const codes = answers.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 401)).toHaveLength(10);
    expect(codes.filter((c) => c === 429)).toHaveLength(2);
    const limited = answers.find((r) => r.statusCode === 429);
    expect(limited?.json()).toEqual({
      code: 'RATE_LIMITED',
      message: expect.any(String) as string,
      requestId: expect.any(String) as string,
      retryable: true,
      details: { retryAfterSeconds: expect.any(Number) as number },
    });
    expect(limited?.headers['retry-after']).toBeDefined();
    // Another name from the same place, and the same name from another place, still get through.
    expect((await attempts(t, randomUsername('other'), 1))[0]?.statusCode).toBe(401);
    expect((await attempts(t, name, 1, '198.51.100.9'))[0]?.statusCode).toBe(401);
  };
}

describe('login rate limit in process memory', () => {
  let t: IssuanceTestApp;
  beforeAll(async () => {
    t = await startIssuanceTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it(
    'answers 429 RATE_LIMITED past 10 tries a minute for one IP and name',
    expectLimited(() => t),
  );

  it('leaves other routes alone', async () => {
    const answers = await Promise.all(
      Array.from({ length: 15 }, () => t.app.inject({ method: 'GET', url: '/auth/me' })),
    );
    expect(answers.every((r) => r.statusCode === 401)).toBe(true);
  });
});

describe.skipIf(redisUrl === undefined)('login rate limit in Redis', () => {
  let t: IssuanceTestApp;
  let u: IssuanceTestApp;
  beforeAll(async () => {
    t = await startIssuanceTestApp({ redisUrl });
    u = await startIssuanceTestApp({ redisUrl });
  });
  afterAll(async () => {
    await t?.close();
    await u?.close();
  });

  it(
    'answers 429 RATE_LIMITED past 10 tries a minute',
    expectLimited(() => t),
  );

  it('is shared by every instance of the service', async () => {
    const name = randomUsername('shared');
    await attempts(t, name, 10);
    expect((await attempts(u, name, 1))[0]?.statusCode).toBe(429);
  });
});
