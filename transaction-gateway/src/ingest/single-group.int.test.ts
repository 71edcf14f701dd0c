import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  PROTOCOL_PATHS,
  recordMacInput,
  type SingleReceipt,
  type TransactionRecord,
} from '@citycard/terminal-sdk/protocol';
import type { TerminalPrincipal } from '../terminals/index.js';
import {
  nextPurseCounter,
  startGatewayTestApp,
  type GatewayTestApp,
  type TestCard,
  type TestTerminal,
} from '../testing/index.js';
import { recordHash } from './record-hash.js';
import { writeGroup, type GroupWrite } from './single-group.repository.js';
import { ingestSingle } from './single-group.service.js';

let gw: GatewayTestApp;
let card: TestCard;

beforeAll(async () => {
  gw = await startGatewayTestApp();
  card = await gw.addCard();
});
afterAll(async () => {
  await gw.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const GROUP_WRITE = 'gateway-ingest-group-write-v1';

/** Counts the group writes the gateway makes from now on, and the records they carry. */
function watchGroupWrites(): { writes: () => number } {
  const query = vi.spyOn(gw.db, 'query');
  return {
    writes: () =>
      query.mock.calls.filter(([q]) => (q as { name?: string } | undefined)?.name === GROUP_WRITE)
        .length,
  };
}

const principalOf = (t: TestTerminal): TerminalPrincipal => ({
  id: t.credentials.id,
  roles: ['terminal'],
  operatorId: t.credentials.operatorId,
  macKeyId: t.credentials.macKeyId,
  macKey: t.credentials.macKey,
  status: 'enrolled',
});

/** Submits the records in the same turn of the event loop, so that they share one group. */
const together = (posts: readonly [TestTerminal, TransactionRecord][]) =>
  Promise.allSettled(
    posts.map(([t, r]) => ingestSingle(gw.deps, principalOf(t), r, recordMacInput(r))),
  );

async function stateOf(terminalId: string) {
  const { rows } = await gw.db.query<{ highest_contiguous: string; version: string }>(
    'SELECT highest_contiguous, version FROM terminal_ingest_state WHERE terminal_id = $1',
    [terminalId],
  );
  return rows[0];
}

async function storedOf(terminalId: string) {
  const { rows } = await gw.db.query<{ sequence: string; status: string; reason: string | null }>(
    'SELECT sequence, status, reason FROM transactions WHERE terminal_id = $1 ORDER BY sequence',
    [terminalId],
  );
  return rows.map((r) => [Number(r.sequence), r.status, r.reason]);
}

async function jobsOf(terminalId: string): Promise<number[][]> {
  const { rows } = await gw.db.query<{ payload: { sequences: number[] } }>(
    `SELECT payload FROM outbox WHERE topic = 'record.stored' AND payload->>'terminalId' = $1
      ORDER BY id`,
    [terminalId],
  );
  return rows.map((r) => r.payload.sequences);
}

describe('single records from many terminals at once', () => {
  it('stores each once, in fewer commits than records, with contiguity and outbox per terminal', async () => {
    const terminals = await Promise.all(Array.from({ length: 12 }, () => gw.addTerminal()));
    const watch = watchGroupWrites();
    // Four records per terminal, every terminal's records in flight at the same time.
    const posts = terminals.flatMap((t) => t.records(card, 4).map((r) => [t, r] as const));
    const answers = await Promise.all(
      posts.map(([t, r]) => gw.post(PROTOCOL_PATHS.transactions, r, t.credentials)),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 200));
    expect(answers.map((a) => a.json<SingleReceipt>().outcome.outcome)).toEqual(
      answers.map(() => 'accepted'),
    );
    expect(watch.writes()).toBeLessThan(posts.length);
    for (const t of terminals) {
      const id = t.credentials.id;
      expect(await storedOf(id)).toEqual([1, 2, 3, 4].map((s) => [s, 'accepted', null]));
      expect(await stateOf(id)).toEqual({ highest_contiguous: '4', version: '4' });
      expect((await jobsOf(id)).flat().sort()).toEqual([1, 2, 3, 4]);
    }
  });

  it('accepts exactly one of two terminals’ records under the same card and counter', async () => {
    const [a, b] = [await gw.addTerminal(), await gw.addTerminal()];
    const purseCounter = nextPurseCounter();
    const watch = watchGroupWrites();
    const results = await together([
      [a, a.record(card, { purseCounter })],
      [b, b.record(card, { purseCounter })],
    ]);
    expect(watch.writes()).toBe(1);
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value.outcomes[0] : r));
    expect(outcomes).toEqual([
      { sequence: 1, outcome: 'accepted' },
      { sequence: 1, outcome: 'quarantined', reason: 'COUNTER_REPLAY' },
    ]);
    const { rows } = await gw.db.query<{ terminal_id: string; status: string }>(
      'SELECT terminal_id, status FROM transactions WHERE card_number = $1 AND purse_counter = $2',
      [card.cardNumber, purseCounter],
    );
    expect(rows.map((r) => [r.terminal_id, r.status]).sort()).toEqual(
      [
        [a.credentials.id, 'accepted'],
        [b.credentials.id, 'quarantined'],
      ].sort(),
    );
  });

  it('answers a duplicate and a conflict in the same group as the records beside them', async () => {
    const [a, b, c] = [await gw.addTerminal(), await gw.addTerminal(), await gw.addTerminal()];
    const first = a.record(card);
    const stored = b.record(card);
    for (const [t, r] of [
      [a, first],
      [b, stored],
    ] as const) {
      expect((await gw.post(PROTOCOL_PATHS.transactions, r, t.credentials)).statusCode).toBe(200);
    }
    // Another record under b's sequence 1.
    b.sequence = 0;
    const other = b.record(card);
    const watch = watchGroupWrites();
    const results = await together([
      [a, first],
      [b, other],
      [c, c.record(card)],
    ]);
    expect(watch.writes()).toBe(1);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.outcomes[0] : r))).toEqual([
      { sequence: 1, outcome: 'duplicate' },
      { sequence: 1, outcome: 'conflict' },
      { sequence: 1, outcome: 'accepted' },
    ]);
    const { rows } = await gw.db.query<{ record_hash: string }>(
      'SELECT record_hash FROM record_conflicts WHERE terminal_id = $1',
      [b.credentials.id],
    );
    expect(rows).toEqual([{ record_hash: recordHash(other) }]);
    expect(await storedOf(b.credentials.id)).toEqual([[1, 'accepted', null]]);
    // Each record moved its terminal's version once, as an upload alone does.
    expect(await stateOf(a.credentials.id)).toEqual({ highest_contiguous: '1', version: '2' });
    expect(await stateOf(b.credentials.id)).toEqual({ highest_contiguous: '1', version: '2' });
  });

  it('quarantines a record of an unknown card and accepts the others of its group', async () => {
    const [a, b] = [await gw.addTerminal(), await gw.addTerminal()];
    const results = await together([
      [a, a.record(card, { cardNumber: '9999000011112222' })],
      [b, b.record(card)],
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.outcomes[0] : r))).toEqual([
      { sequence: 1, outcome: 'quarantined', reason: 'UNKNOWN_CARD' },
      { sequence: 1, outcome: 'accepted' },
    ]);
  });

  it('refuses a record of a terminal disabled meanwhile and stores the others of its group', async () => {
    const [a, b] = [await gw.addTerminal(), await gw.addTerminal()];
    // Known (and kept) from a first request, then disabled.
    for (const t of [a, b]) {
      const res = await gw.post(PROTOCOL_PATHS.transactions, t.record(card), t.credentials);
      expect(res.statusCode).toBe(200);
    }
    await gw.db.query(`UPDATE terminals SET status = 'disabled' WHERE id = $1`, [a.credentials.id]);
    const answers = await Promise.all(
      [a, b].map((t) => gw.post(PROTOCOL_PATHS.transactions, t.record(card), t.credentials)),
    );
    expect(answers.map((r) => r.statusCode)).toEqual([403, 200]);
    expect(answers[0]?.json()).toMatchObject({ code: 'TERMINAL_DISABLED' });
    expect(await storedOf(a.credentials.id)).toEqual([[1, 'accepted', null]]);
    expect(await storedOf(b.credentials.id)).toHaveLength(2);
  });

  it('when the group’s write fails, stores the others on their own and fails only the bad one', async () => {
    const [bad, b, c] = [await gw.addTerminal(), await gw.addTerminal(), await gw.addTerminal()];
    await gw.db.query(`
      CREATE FUNCTION fail_one() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'this terminal cannot be stored'; END; $$;
      CREATE TRIGGER fail_one BEFORE INSERT ON transactions
        FOR EACH ROW WHEN (NEW.terminal_id = '${bad.credentials.id}') EXECUTE FUNCTION fail_one();`);
    try {
      const watch = watchGroupWrites();
      const results = await together([
        [b, b.record(card)],
        [bad, bad.record(card)],
        [c, c.record(card)],
      ]);
      expect(watch.writes()).toBe(1);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const failed = results[1] as PromiseRejectedResult;
      expect(String(failed.reason)).toContain('this terminal cannot be stored');
      expect(await storedOf(b.credentials.id)).toEqual([[1, 'accepted', null]]);
      expect(await storedOf(c.credentials.id)).toEqual([[1, 'accepted', null]]);
      expect(await storedOf(bad.credentials.id)).toEqual([]);
      expect(await stateOf(bad.credentials.id)).toBeUndefined();
      expect(await jobsOf(b.credentials.id)).toEqual([[1]]);
      expect(await jobsOf(bad.credentials.id)).toEqual([]);
    } finally {
      await gw.db.query('DROP TRIGGER fail_one ON transactions; DROP FUNCTION fail_one()');
    }
  });

  it('lets contiguity run on when a record fills an earlier gap', async () => {
    const t = await gw.addTerminal();
    const [r1, r2, r3] = t.records(card, 3) as [
      TransactionRecord,
      TransactionRecord,
      TransactionRecord,
    ];
    const post = (r: TransactionRecord) => gw.post(PROTOCOL_PATHS.transactions, r, t.credentials);
    expect((await post(r3)).json<SingleReceipt>().highestContiguousSequence).toBe(0);
    expect((await post(r2)).json<SingleReceipt>().highestContiguousSequence).toBe(0);
    expect((await post(r1)).json<SingleReceipt>().highestContiguousSequence).toBe(3);
    expect(await stateOf(t.credentials.id)).toEqual({ highest_contiguous: '3', version: '3' });
  });
});

describe('the group write', () => {
  it('writes only the terminals whose version is still the one read', async () => {
    const [a, b] = [await gw.addTerminal(), await gw.addTerminal()];
    const first = await gw.post(PROTOCOL_PATHS.transactions, b.record(card), b.credentials);
    expect(first.statusCode).toBe(200);
    const rowOf = (t: TestTerminal, expectedVersion: string): GroupWrite => {
      const record = t.record(card);
      return {
        terminalId: t.credentials.id,
        operatorId: t.credentials.operatorId,
        expectedVersion,
        highestContiguous: record.sequence,
        highestSeen: record.sequence,
        insert: { record, hash: recordHash(record), status: 'accepted', reason: null },
        conflict: undefined,
        gap: undefined,
        outbox: {
          topic: 'record.stored',
          payload: { terminalId: t.credentials.id, sequences: [record.sequence] },
        },
      };
    };
    // b's version is 1 now: a write decided on version 0 must not land.
    const moved = await writeGroup(gw.db, { receivedAt: new Date(), businessDay: '2026-01-01' }, [
      rowOf(a, '0'),
      rowOf(b, '0'),
    ]);
    expect([...moved]).toEqual([a.credentials.id]);
    expect(await storedOf(a.credentials.id)).toEqual([[1, 'accepted', null]]);
    expect(await stateOf(a.credentials.id)).toEqual({ highest_contiguous: '1', version: '1' });
    expect(await storedOf(b.credentials.id)).toEqual([[1, 'accepted', null]]);
    expect(await stateOf(b.credentials.id)).toEqual({ highest_contiguous: '1', version: '1' });
    expect(await jobsOf(b.credentials.id)).toEqual([[1]]);
  });
});
