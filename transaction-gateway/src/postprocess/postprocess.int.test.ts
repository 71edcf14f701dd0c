import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction, type Queryable } from '@citycard/core/db';
import { createLogger } from '@citycard/core/logging';
import { createQueues, type QueueFactory } from '@citycard/core/queue';
import { SAMPLE_CITY_FARE_SET } from '@citycard/terminal-sdk/fare';
import { addCard, type TestCard } from '../testing/contract-double.js';
import {
  enrolledTerminal,
  randomId,
  startDistributionApp,
  type DistributionTestApp,
  type TestTerminal,
} from '../distribution/distribution.test-support.js';
import { publishFareSet } from '../distribution/index.js';
import { listAnomalies } from './anomalies.repository.js';
import {
  checkCard,
  processPostprocessJob,
  startOutboxRelay,
  startPostprocessWorker,
  writeOutbox,
  type PostprocessDeps,
} from './index.js';

const log = createLogger({ name: 'postprocess-test', level: 'silent' });
const redisUrl = process.env.REDIS_URL?.trim() ?? '';
let t: DistributionTestApp;
let deps: PostprocessDeps;
let bus: TestTerminal;
let metro: TestTerminal;

beforeAll(async () => {
  t = await startDistributionApp();
  bus = await enrolledTerminal(t);
  metro = await enrolledTerminal(t);
  deps = { db: t.db, log, clock: () => new Date(), issuanceSchema: t.issuance };
});
afterAll(async () => {
  await t.close();
});

interface Rec {
  terminal: TestTerminal;
  sequence: number;
  counter: number;
  before: string;
  after: string;
  amount?: string;
  type?: string;
  at?: string;
  location?: Record<string, unknown>;
  fare?: Record<string, unknown>;
  operatorId?: string;
  status?: 'accepted' | 'quarantined';
  reason?: string;
}

let nextSeq = 1;
const seq = (): number => nextSeq++;

/** Stores records the way ingest leaves them (the test writes the rows itself). */
async function store(db: Queryable, card: TestCard, recs: readonly Rec[]): Promise<void> {
  for (const r of recs) {
    const at = r.at ?? new Date().toISOString();
    await db.query(
      `INSERT INTO transactions (terminal_id, sequence, batch_seq, type, card_number, uid,
         purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
         operator_id, location, fare, mac, record_hash, received_at, business_day, status, reason)
       VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz, $10::text, $11, $12, $13, $14, $15, now(),
         current_date, $16, $17)`,
      [
        r.terminal.terminalId,
        r.sequence,
        r.type ?? 'purchase',
        card.cardNumber,
        card.uid,
        r.counter,
        r.amount ?? (Number(r.before) - Number(r.after)).toFixed(2),
        r.before,
        r.after,
        at,
        r.operatorId ?? r.terminal.operatorId,
        r.location ?? {},
        r.fare ?? null,
        randomBytes(16).toString('hex'),
        randomBytes(32).toString('hex'),
        r.status ?? 'accepted',
        r.status === 'quarantined' ? (r.reason ?? 'COUNTER_REPLAY') : null,
      ],
    );
  }
}

describe('per-card continuity', () => {
  it("finds a cloned card's broken balance chain and its reused counter", async () => {
    const card = await addCard(t.db, t.issuance);
    // Card and clone both start from counter 10, balance 50.00. The original pays at the bus,
    // the clone at the metro; ingest accepts whichever counter is new and quarantines the replay.
    await store(t.db, card, [
      { terminal: bus, sequence: seq(), counter: 10, before: '52.00', after: '50.00' },
      { terminal: bus, sequence: seq(), counter: 11, before: '50.00', after: '48.00' },
      {
        terminal: metro,
        sequence: seq(),
        counter: 11,
        before: '50.00',
        after: '47.00',
        status: 'quarantined',
      },
      { terminal: metro, sequence: seq(), counter: 12, before: '47.00', after: '45.00' },
    ]);
    const result = await checkCard(deps, card.cardNumber);
    expect(result.found.map((f) => f.kind).sort()).toEqual(['balance_break', 'counter_reuse']);
    const again = await checkCard(deps, card.cardNumber);
    expect(again.found).toEqual([]);
    const stored = await listAnomalies(t.db, { cardNumber: card.cardNumber });
    const brk = stored.find((a) => a.kind === 'balance_break');
    expect(brk).toMatchObject({ terminalId: metro.terminalId, purseCounter: '12' });
    expect(brk?.details).toMatchObject({ previousBalanceAfter: '48.00', balanceBefore: '47.00' });
  });

  it('notes a counter gap and resolves it once the missing record arrives', async () => {
    const card = await addCard(t.db, t.issuance);
    const missing = {
      terminal: bus,
      sequence: seq(),
      counter: 21,
      before: '30.00',
      after: '28.00',
    };
    await store(t.db, card, [
      { terminal: bus, sequence: seq(), counter: 20, before: '32.00', after: '30.00' },
      { terminal: bus, sequence: seq(), counter: 22, before: '28.00', after: '26.00' },
    ]);
    const first = await checkCard(deps, card.cardNumber);
    expect(first.found).toMatchObject([{ kind: 'counter_gap', key: 'gap:20-22' }]);
    await store(t.db, card, [missing]);
    await checkCard(deps, card.cardNumber);
    const [gap] = await listAnomalies(t.db, { cardNumber: card.cardNumber });
    expect(gap?.resolvedAt).not.toBe(null);
    expect(await listAnomalies(t.db, { cardNumber: card.cardNumber, openOnly: true })).toEqual([]);
  });
});

describe('day-level fare re-check', () => {
  it('re-prices the day with priceDay and flags a missed transfer discount', async () => {
    const version = randomId('fd').slice(0, 32);
    const set = { ...SAMPLE_CITY_FARE_SET, version, effectiveFrom: '2026-01-01T00:00:00+08:00' };
    await publishFareSet(t.db, set, { id: randomUUID(), username: 'fares' }, new Date());
    const card = await addCard(t.db, t.issuance);
    const route = SAMPLE_CITY_FARE_SET.routes.find((r) => r.routeId === 'J1') ?? { routeId: 'J1' };
    const fare = {
      fareSetVersion: version,
      fareProductId: 'x',
      riderCategoryId: 'adult',
      baseAmount: '2.00',
      discount: '0.00',
      transfer: false,
      capApplied: false,
    };
    const tap = {
      type: 'transit_flat',
      location: { routeId: route.routeId },
      operatorId: 'jiangbei-bus',
      fare,
    };
    // Monday 12:00 and 12:30 local: the second ride is a free change, but was charged 2.00.
    await store(t.db, card, [
      {
        ...tap,
        terminal: bus,
        sequence: seq(),
        counter: 1,
        before: '20.00',
        after: '18.00',
        at: '2026-03-02T12:00:00+08:00',
      },
      {
        ...tap,
        terminal: bus,
        sequence: seq(),
        counter: 2,
        before: '18.00',
        after: '16.00',
        at: '2026-03-02T12:30:00+08:00',
      },
    ]);
    const result = await checkCard(deps, card.cardNumber);
    expect(result.found).toHaveLength(1);
    expect(result.found[0]).toMatchObject({
      kind: 'fare_day_mismatch',
      details: { serviceDate: '2026-03-02', charged: '4.00', expected: '2.00' },
    });
  });
});

describe('outbox relay', () => {
  it('lets ingest commit while the queue is down, and moves the jobs once it is up', async () => {
    const topic = `test.${randomUUID()}`;
    const queueName = `test-${randomUUID()}`;
    const card = await addCard(t.db, t.issuance);
    const down: QueueFactory = createQueues({ redisUrl: 'redis://127.0.0.1:1', log });
    const stalled = startOutboxRelay({
      db: t.db,
      queues: down,
      log,
      queueName,
      topics: [topic],
      manual: true,
      enqueueTimeoutMs: 1500,
    });
    // Ingest's transaction: records and their outbox row, never touching the queue.
    const started = Date.now();
    await withTransaction(t.db, async (tx) => {
      await store(tx, card, [
        { terminal: bus, sequence: seq(), counter: 40, before: '10.00', after: '8.00' },
        { terminal: metro, sequence: seq(), counter: 41, before: '9.00', after: '7.00' },
      ]);
      await writeOutbox(tx, topic, { cardNumbers: [card.cardNumber] });
    });
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(stalled.relayOnce()).rejects.toThrow();
    const pending = await t.db.query(
      'SELECT 1 FROM outbox WHERE topic = $1 AND relayed_at IS NULL',
      [topic],
    );
    expect(pending.rowCount).toBe(1);
    await stalled.stop();
    await down.close();

    if (!redisUrl) return;
    const up = createQueues({ redisUrl, prefix: `test-${randomUUID()}`, log });
    const done = new Promise<unknown>((resolve) => {
      startPostprocessWorker(up, deps, { queueName }).on('completed', (_job, result) =>
        resolve(result),
      );
    });
    const relay = startOutboxRelay({
      db: t.db,
      queues: up,
      log,
      queueName,
      topics: [topic],
      idleMs: 50,
    });
    expect(await done).toEqual({ cards: 1, found: 1 });
    await relay.stop();
    const moved = await t.db.query(
      'SELECT 1 FROM outbox WHERE topic = $1 AND relayed_at IS NOT NULL',
      [topic],
    );
    expect(moved.rowCount).toBe(1);
    expect((await listAnomalies(t.db, { cardNumber: card.cardNumber }))[0]?.kind).toBe(
      'balance_break',
    );
    await up.queue(queueName).obliterate({ force: true });
    await up.close();
  });

  it('finds the cards of a batch job from its terminal and batch number', async () => {
    const card = await addCard(t.db, t.issuance);
    await store(t.db, card, [
      { terminal: bus, sequence: seq(), counter: 60, before: '5.00', after: '4.00' },
    ]);
    const result = await processPostprocessJob(deps, 'batch.stored', {
      terminalId: bus.terminalId,
      batchSeq: 1,
    });
    expect(result.cards).toBeGreaterThanOrEqual(1);
  });
});
