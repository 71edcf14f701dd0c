import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_CITY_FARE_SET } from '@citycard/terminal-sdk/fare';
import {
  fareSetsResponseSchema,
  hotlistResponseSchema,
  operatorConfigResponseSchema,
  timeResponseSchema,
} from '@citycard/terminal-sdk/protocol';
import {
  addCard,
  addStaffSession,
  hotlistCard,
  type TestStaff,
} from '../testing/contract-double.js';
import { observeIngest } from '../metrics/index.js';
import {
  enrolledTerminal,
  randomId,
  signedGet,
  startDistributionApp,
  type DistributionTestApp,
  type TestTerminal,
} from './distribution.test-support.js';

let t: DistributionTestApp;
let terminal: TestTerminal;
let admin: TestStaff;

beforeAll(async () => {
  t = await startDistributionApp({ rateLimits: { perSecond: 1, burst: 60 } });
  terminal = await enrolledTerminal(t);
  admin = await addStaffSession(t.db, t.issuance, ['admin']);
});
afterAll(async () => {
  await t.close();
});

const get = async (url: string, headers: Record<string, string> = {}) =>
  t.app.inject(signedGet(t, terminal, url, headers));

describe('hotlist', () => {
  it('answers the full list at 0, then deltas, with the last change per card deciding', async () => {
    const old = new Date(Date.now() - 60_000);
    const [a, b, c] = [
      await addCard(t.db, t.issuance),
      await addCard(t.db, t.issuance),
      await addCard(t.db, t.issuance),
    ];
    await hotlistCard(t.db, t.issuance, a, old);
    await hotlistCard(t.db, t.issuance, b, old);
    const first = hotlistResponseSchema.parse((await get('/v1/hotlist?since=0')).json());
    expect(first.kind).toBe('full');
    if (first.kind !== 'full') return;
    expect(first.entries.map((e) => e.cardNumber).sort()).toEqual(
      [a.cardNumber, b.cardNumber].sort(),
    );

    await hotlistCard(t.db, t.issuance, b, old, 'remove');
    await hotlistCard(t.db, t.issuance, c, old);
    await hotlistCard(t.db, t.issuance, c, old, 'remove');
    await hotlistCard(t.db, t.issuance, c, old);
    const res = await get(`/v1/hotlist?since=${first.version}`);
    const delta = hotlistResponseSchema.parse(res.json());
    expect(delta).toMatchObject({
      kind: 'delta',
      since: first.version,
      version: first.version + 4,
    });
    if (delta.kind !== 'delta') return;
    expect(delta.add.map((e) => e.cardNumber)).toEqual([c.cardNumber]);
    expect(delta.remove.map((e) => e.cardNumber)).toEqual([b.cardNumber]);

    const current = await get(`/v1/hotlist?since=${delta.version}`);
    expect(current.json()).toMatchObject({ kind: 'delta', add: [], remove: [] });
    const etag = current.headers.etag as string;
    expect(
      (await get(`/v1/hotlist?since=${delta.version}`, { 'if-none-match': etag })).statusCode,
    ).toBe(304);
  });

  it('answers the full list to a version ahead of it or older than the deltas kept', async () => {
    const ahead = hotlistResponseSchema.parse((await get('/v1/hotlist?since=999999999')).json());
    expect(ahead.kind).toBe('full');
    const card = await addCard(t.db, t.issuance);
    await hotlistCard(t.db, t.issuance, card, new Date(Date.now() - 40 * 86_400_000));
    const stale = hotlistResponseSchema.parse((await get('/v1/hotlist?since=1')).json());
    expect(stale.kind).toBe('full');
  });

  it('holds terminals back before a version that may still be committing', async () => {
    const card = await addCard(t.db, t.issuance);
    const top = hotlistResponseSchema.parse((await get('/v1/hotlist?since=0')).json()).version;
    // A version taken by a transaction still open looks like a hole right before a fresh row.
    await t.db.query(
      `SELECT nextval(pg_get_serial_sequence('${t.issuance}.hotlist_contract', 'version'))`,
    );
    await hotlistCard(t.db, t.issuance, card, new Date());
    const res = hotlistResponseSchema.parse((await get(`/v1/hotlist?since=${top}`)).json());
    expect(res.version).toBe(top);
  });

  it('refuses an unsigned request and a bad since', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/hotlist?since=0' })).statusCode).toBe(
      401,
    );
    expect((await get('/v1/hotlist?since=-1')).statusCode).toBe(400);
  });
});

describe('fare sets and operator configuration', () => {
  it('publishes a fare set validated by the fare engine and serves it with an ETag', async () => {
    const version = randomId('fs').slice(0, 32);
    const body = { ...SAMPLE_CITY_FARE_SET, version, effectiveFrom: '2026-01-01T00:00:00+08:00' };
    const bad = await t.app.inject({
      method: 'POST',
      url: '/admin/fare-sets',
      headers: admin.headers,
      payload: { ...body, riderCategories: [] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ code: string }>().code).toBe('FARE_SET_INVALID');

    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/fare-sets',
      headers: admin.headers,
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(201);
    const same = await t.app.inject({
      method: 'POST',
      url: '/admin/fare-sets',
      headers: admin.headers,
      payload: body,
    });
    expect(same.json()).toEqual(res.json());
    const changed = await t.app.inject({
      method: 'POST',
      url: '/admin/fare-sets',
      headers: admin.headers,
      payload: { ...body, effectiveFrom: '2026-02-01T00:00:00+08:00' },
    });
    expect(changed.json<{ code: string }>().code).toBe('FARE_SET_VERSION_EXISTS');

    const later = {
      ...body,
      version: `${version.slice(0, 28)}-nxt`,
      effectiveFrom: '2099-01-01T00:00:00Z',
    };
    await t.app.inject({
      method: 'POST',
      url: '/admin/fare-sets',
      headers: admin.headers,
      payload: later,
    });
    const fares = await get('/v1/fares');
    expect(fares.statusCode).toBe(200);
    const parsed = fareSetsResponseSchema.parse(fares.json());
    expect(parsed.fareSets.map((f) => f.version).slice(-2)).toEqual([version, later.version]);
    expect((parsed.fareSets.at(-2)?.body as { version: string }).version).toBe(version);
    const etag = fares.headers.etag as string;
    const cached = await get('/v1/fares', { 'if-none-match': etag });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    expect((await get('/v1/fares', { 'if-none-match': '"other"' })).statusCode).toBe(200);
  });

  it("serves the operator's configuration, the default until one is published", async () => {
    const first = operatorConfigResponseSchema.parse((await get('/v1/config')).json());
    expect(first.configs.map((c) => c.version)).toEqual(['0']);
    const settings = { ...first.configs[0]?.settings, uploadBatchSize: 200 };
    const pub = await t.app.inject({
      method: 'POST',
      url: `/admin/operators/${terminal.operatorId}/configs`,
      headers: admin.headers,
      payload: {
        version: 'v2',
        effectiveFrom: new Date(Date.now() - 1000).toISOString(),
        settings,
      },
    });
    expect(pub.statusCode, pub.body).toBe(201);
    const res = await get('/v1/config');
    const now = operatorConfigResponseSchema.parse(res.json());
    expect(now.configs.map((c) => [c.version, c.settings.uploadBatchSize])).toEqual([['v2', 200]]);
    expect(res.headers.etag).not.toBe(undefined);
    expect(
      (await get('/v1/config', { 'if-none-match': res.headers.etag as string })).statusCode,
    ).toBe(304);
  });
});

describe('time, metrics and rate limits', () => {
  it('tells the time without a signature, to the millisecond', async () => {
    const before = Date.now();
    const res = await t.app.inject({ method: 'GET', url: '/v1/time' });
    const { serverTime } = timeResponseSchema.parse(res.json());
    expect(serverTime).toMatch(/\.\d{3}Z$/);
    expect(Date.parse(serverTime)).toBeGreaterThanOrEqual(before - 1);
  });

  it('exposes the ingest metrics in Prometheus format', async () => {
    observeIngest({
      route: 'batch',
      result: 'stored',
      counts: { accepted: 3, quarantined: 1 },
      quarantineReasons: ['HOTLISTED_CARD'],
      seconds: 0.012,
    });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/gateway_records_total\{outcome="accepted"\} \d+/);
    expect(res.body).toContain('gateway_batches_total{result="stored"}');
    expect(res.body).toContain('gateway_quarantine_total{reason="HOTLISTED_CARD"}');
    expect(res.body).toContain('gateway_ingest_duration_seconds_bucket{le="0.02",route="batch"}');
  });

  it('limits each terminal on its own', async () => {
    const busy = await enrolledTerminal(t);
    let limited = 0;
    for (let i = 0; i < 70; i++) {
      const res = await t.app.inject(signedGet(t, busy, '/v1/config'));
      if (res.statusCode === 429) {
        limited += 1;
        expect(res.json<{ code: string }>().code).toBe('RATE_LIMITED');
      }
    }
    expect(limited).toBeGreaterThanOrEqual(5);
    expect((await get('/v1/config')).statusCode).toBe(200);
  });
});
