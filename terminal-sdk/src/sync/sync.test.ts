import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperatorConfig } from '../protocol/index.js';
import { startTestGateway, type TestGateway } from '../testing/index.js';
import { GatewayClient } from '../uploader/index.js';
import { offsetFromSample } from './clock.js';
import { OperatorConfigStore, createFareSetStore, type FareSetStore } from './fare-set-store.js';
import { HotlistStore } from './hotlist-store.js';
import { SyncClient } from './sync-client.js';

const lost = { cardNumber: '3100000000000017', uid: '04A1B2C3D4E5F6', reason: 'lost' };
const blank = { uid: 'A1B2C3D4', reason: 'cancelled' };

describe('hotlist store', () => {
  it('applies deltas in order and looks up by card number or UID', () => {
    const store = new HotlistStore();
    store.apply({ v: 1, kind: 'delta', since: 0, version: 2, add: [lost, blank], remove: [] });
    expect(store.isListed(lost.cardNumber, 'FFFFFFFF')).toBe(true);
    expect(store.isListed('3100000000000025', 'a1b2c3d4')).toBe(true);
    store.apply({ v: 1, kind: 'delta', since: 2, version: 3, add: [], remove: [lost] });
    expect(store.isListed(lost.cardNumber, lost.uid)).toBe(false);
    expect(store).toMatchObject({ version: 3, size: 1 });
  });

  it('refuses a delta from another version and changes nothing', () => {
    const store = HotlistStore.fromSnapshot({ version: 5, entries: [lost] });
    expect(() =>
      store.apply({ v: 1, kind: 'delta', since: 4, version: 6, add: [blank], remove: [lost] }),
    ).toThrow(expect.objectContaining({ code: 'HOTLIST_DELTA_MISMATCH' }));
    expect(store.snapshot()).toEqual({ version: 5, entries: [lost] });
  });
});

describe('versioned stores', () => {
  it('give the fare set in force at a time', () => {
    const store = createFareSetStore((body) => body as { name: string });
    store.replaceFromEnvelopes([
      { version: 'b', effectiveFrom: '2026-12-01T00:00:00+08:00', body: { name: 'winter' } },
      { version: 'a', effectiveFrom: '2026-01-01T00:00:00+08:00', body: { name: 'base' } },
    ]);
    expect(store.current(new Date('2026-11-30T15:59:59Z'))).toEqual({ name: 'base' });
    expect(store.current(new Date('2026-11-30T16:00:00Z'))).toEqual({ name: 'winter' });
    expect(() => store.current(new Date('2025-01-01'))).toThrow(
      expect.objectContaining({ code: 'FARE_SET_NOT_IN_FORCE' }),
    );
  });

  it('keep the old sets when a new body does not parse', () => {
    const store = createFareSetStore((body) => {
      if (body === null) throw new Error('bad fare set');
      return body;
    });
    store.replaceFromEnvelopes([{ version: 'a', effectiveFrom: '2026-01-01T00:00:00Z', body: 1 }]);
    expect(() =>
      store.replaceFromEnvelopes([
        { version: 'b', effectiveFrom: '2026-01-01T00:00:00Z', body: null },
      ]),
    ).toThrow('bad fare set');
    expect(store.versions).toBe('a');
  });
});

describe('clock offset', () => {
  it('takes the midpoint of the round trip', () => {
    expect(offsetFromSample(1000, 6100, 1200)).toEqual({ offsetMs: 5000, rttMs: 200 });
  });
});

describe('sync client against the test gateway', () => {
  let gateway: TestGateway;
  const credentials = {
    terminalId: 'T-9',
    operatorId: 'metro',
    macKeyId: 'k1',
    macKey: randomBytes(16),
  };
  const config: OperatorConfig = {
    version: 'c1',
    effectiveFrom: '2026-01-01T00:00:00Z',
    operatorId: 'metro',
    settings: {
      timeZone: 'Asia/Shanghai',
      uploadBatchSize: 200,
      uploadIntervalSeconds: 60,
      hotlistPollSeconds: 300,
      maxOfflineHours: 72,
      clockSkewToleranceSeconds: 300,
    },
  };

  beforeEach(async () => {
    gateway = await startTestGateway({ now: () => new Date(Date.now() + 5000) });
    gateway.ledger.terminals.set('T-9', credentials);
    gateway.distribution.fareSets = [
      { version: 'f1', effectiveFrom: '2026-01-01T00:00:00Z', body: { f: 1 } },
    ];
    gateway.distribution.configs = [config];
  });
  afterEach(() => gateway.close());

  let hotlist: HotlistStore;

  let fareSets: FareSetStore<unknown>;
  let configs: OperatorConfigStore;

  function client(dir?: string) {
    const gatewayClient = new GatewayClient({ baseUrl: gateway.url, auth: credentials });
    hotlist = new HotlistStore();
    fareSets = createFareSetStore((b) => b);
    configs = new OperatorConfigStore();
    return new SyncClient({ client: gatewayClient, hotlist, fareSets, config: configs, dir });
  }

  it('restores the last sync after a restart, without the gateway', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sync-'));
    try {
      gateway.distribution.changeHotlist('add', lost);
      await client(dir).syncAll();
      const restarted = client(dir);
      expect(await restarted.restore()).toEqual({ hotlist: true, fares: true, config: true });
      expect(hotlist.isListed(lost.cardNumber, lost.uid)).toBe(true);
      expect(fareSets.current(new Date('2026-06-01'))).toEqual({ f: 1 });
      expect(configs.current(new Date('2026-06-01')).timeZone).toBe('Asia/Shanghai');
      expect(await restarted.syncFares()).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('follows hotlist deltas, and takes the full list once deltas are gone', async () => {
    const sync = client();
    gateway.distribution.changeHotlist('add', lost);
    expect(await sync.syncHotlist()).toBe('delta');
    gateway.distribution.changeHotlist('add', blank);
    gateway.distribution.changeHotlist('remove', lost);
    expect(await sync.syncHotlist()).toBe('delta');
    gateway.distribution.changeHotlist('add', lost);
    gateway.distribution.compactHotlist();
    gateway.distribution.changeHotlist('remove', blank);
    const fresh = client();
    expect(await fresh.syncHotlist()).toBe('full');
    expect(hotlist.snapshot()).toEqual({ version: 5, entries: [lost] });
    const summary = await sync.syncAll();
    expect(summary).toMatchObject({ hotlistVersion: 5, faresChanged: true, configChanged: true });
    expect(summary.clock.offsetMs).toBeGreaterThan(4500);
    expect(summary.clock.offsetMs).toBeLessThan(5500);
    expect(await sync.syncFares()).toBe(false);
  });

  it('gets a full list when its version is older than the deltas kept', async () => {
    gateway.distribution.changeHotlist('add', lost);
    gateway.distribution.changeHotlist('add', blank);
    gateway.distribution.compactHotlist();
    const sync = client();
    await sync.syncHotlist();
    gateway.distribution.changeHotlist('remove', lost);
    gateway.distribution.compactHotlist();
    expect(await sync.syncHotlist()).toBe('full');
  });
});
