import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  PROTOCOL_PATHS,
  type Receipt,
  type SingleReceipt,
} from '@citycard/terminal-sdk/protocol';
import { startGatewayTestApp, type GatewayTestApp, type TestCard } from '../testing/index.js';
import { businessDay } from './business-day.js';

let gw: GatewayTestApp;
let card: TestCard;

beforeAll(async () => {
  gw = await startGatewayTestApp();
  card = await gw.addCard();
});
afterAll(async () => {
  await gw.close();
});

async function rowsOf(terminalId: string) {
  const { rows } = await gw.db.query<{
    sequence: string;
    status: string;
    amount: string;
    business_day: string;
    received_at: Date;
  }>(
    `SELECT sequence, status, amount, to_char(business_day, 'YYYY-MM-DD') AS business_day,
            received_at
       FROM transactions WHERE terminal_id = $1 ORDER BY sequence`,
    [terminalId],
  );
  return rows;
}

async function countFor(table: string, terminalId: string): Promise<number> {
  const { rows } = await gw.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${table} WHERE terminal_id = $1`,
    [terminalId],
  );
  return Number(rows[0]?.n);
}

describe('batch ingest', () => {
  it('stores a batch, in its business day, and answers a receipt after commit', async () => {
    const terminal = await gw.addTerminal();
    const batch = terminal.batch(terminal.records(card, 5));
    const res = await gw.postBatch(batch, terminal);
    expect(res.statusCode, res.body).toBe(200);
    const receipt = res.json<Receipt>();
    expect(receipt).toMatchObject({
      terminalId: terminal.credentials.id,
      batchSequence: 1,
      accepted: 5,
      duplicate: 0,
      quarantined: 0,
      conflict: 0,
      highestContiguousSequence: 5,
      replayed: false,
    });
    expect(receipt.outcomes.map((o) => o.outcome)).toEqual(Array(5).fill('accepted'));
    const rows = await rowsOf(terminal.credentials.id);
    expect(rows.map((r) => [Number(r.sequence), r.status])).toEqual(
      [1, 2, 3, 4, 5].map((s) => [s, 'accepted']),
    );
    expect(rows[0]?.amount).toBe(batch.records[0]?.amount);
    const receivedAt = rows[0]?.received_at ?? new Date(0);
    expect(rows[0]?.business_day).toBe(businessDay(receivedAt, 'Asia/Shanghai', '04:00'));
    expect(await countFor('batches', terminal.credentials.id)).toBe(1);
    const { rows: jobs } = await gw.db.query<{ topic: string; payload: { sequences: number[] } }>(
      `SELECT topic, payload FROM outbox WHERE payload->>'terminalId' = $1`,
      [terminal.credentials.id],
    );
    expect(jobs.map((j) => [j.topic, j.payload.sequences])).toEqual([
      ['batch.stored', [1, 2, 3, 4, 5]],
    ]);
  });

  it('answers a replayed batch with the stored receipt and replayed: true', async () => {
    const terminal = await gw.addTerminal();
    const batch = terminal.batch(terminal.records(card, 3));
    const first = (await gw.postBatch(batch, terminal)).json<Receipt>();
    const again = await gw.postBatch(batch, terminal);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...first, replayed: true });
    expect(await countFor('transactions', terminal.credentials.id)).toBe(3);
    expect(await countFor('batches', terminal.credentials.id)).toBe(1);
  });

  it('stores the same batch sent five times at once exactly once', async () => {
    const terminal = await gw.addTerminal();
    const batch = terminal.batch(terminal.records(card, 20));
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => gw.postBatch(batch, terminal)),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const receipts = answers.map((a) => a.json<Receipt>());
    expect(receipts.filter((r) => !r.replayed)).toHaveLength(1);
    expect(receipts.every((r) => r.accepted === 20)).toBe(true);
    expect(await countFor('transactions', terminal.credentials.id)).toBe(20);
  });

  it('refuses different content under a used batch number and writes nothing', async () => {
    const terminal = await gw.addTerminal();
    await gw.postBatch(terminal.batch(terminal.records(card, 2)), terminal);
    terminal.batchSequence = 0;
    terminal.prevHash = GENESIS_HASH;
    const before = await gw.counts();
    const res = await gw.postBatch(terminal.batch(terminal.records(card, 2)), terminal);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'BATCH_SEQUENCE_CONFLICT' });
    expect(await gw.counts()).toEqual(before);
    expect(await countFor('transactions', terminal.credentials.id)).toBe(2);
  });

  it('reports duplicate and conflicting records without storing either twice', async () => {
    const terminal = await gw.addTerminal();
    const [r1, r2, r3] = terminal.records(card, 3);
    if (!r1 || !r2 || !r3) throw new Error('three records');
    await gw.postBatch(terminal.batch([r1, r2, r3]), terminal);
    // Re-batched after a lost answer: record 3 again with a new record 4.
    const r4 = terminal.record(card);
    const second = (await gw.postBatch(terminal.batch([r3, r4]), terminal)).json<Receipt>();
    expect(second.outcomes).toEqual([
      { sequence: 3, outcome: 'duplicate' },
      { sequence: 4, outcome: 'accepted' },
    ]);
    expect(second).toMatchObject({ accepted: 1, duplicate: 1, highestContiguousSequence: 4 });
    // A different record under sequence 2: kept apart as a conflict, never counted.
    const other = terminal.record(card, { sequence: 2 });
    const third = (await gw.postBatch(terminal.batch([other]), terminal)).json<Receipt>();
    expect(third.outcomes).toEqual([{ sequence: 2, outcome: 'conflict' }]);
    expect(third.conflict).toBe(1);
    expect(await countFor('transactions', terminal.credentials.id)).toBe(4);
    expect(await countFor('record_conflicts', terminal.credentials.id)).toBe(1);
    const { rows } = await gw.db.query<{ mac: string }>(
      'SELECT mac FROM transactions WHERE terminal_id = $1 AND sequence = 2',
      [terminal.credentials.id],
    );
    expect(rows[0]?.mac).toBe(r2.mac);
  });

  it('notes a sequence gap and moves contiguity on once it is filled', async () => {
    const terminal = await gw.addTerminal();
    await gw.postBatch(terminal.batch(terminal.records(card, 2)), terminal);
    terminal.sequence = 4;
    const later = terminal.batch(terminal.records(card, 2)); // 5, 6
    const early = (await gw.postBatch(later, terminal)).json<Receipt>();
    expect(early).toMatchObject({ accepted: 2, highestContiguousSequence: 2 });
    const { rows: gaps } = await gw.db.query<{ from_seq: string; to_seq: string }>(
      'SELECT from_seq, to_seq FROM sequence_gaps WHERE terminal_id = $1',
      [terminal.credentials.id],
    );
    expect(gaps).toEqual([{ from_seq: '3', to_seq: '4' }]);
    terminal.sequence = 2;
    const fill = (
      await gw.postBatch(terminal.batch(terminal.records(card, 2)), terminal)
    ).json<Receipt>();
    expect(fill.highestContiguousSequence).toBe(6);
    // Skipped sequences count as filled.
    terminal.sequence = 6;
    const r7 = terminal.record(card);
    terminal.sequence = 9;
    const r10 = terminal.record(card);
    const skipped = terminal.batch([r7, r10], { skipped: [{ from: 8, to: 9 }] });
    const withSkip = (await gw.postBatch(skipped, terminal)).json<Receipt>();
    expect(withSkip).toMatchObject({ accepted: 2, highestContiguousSequence: 10 });
  });

  it('acknowledges only after commit: a failure inside the transaction leaves nothing', async () => {
    const terminal = await gw.addTerminal();
    const batch = terminal.batch(terminal.records(card, 4));
    await gw.db.query(`
      CREATE FUNCTION fail_outbox() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'outbox down'; END; $$;
      CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox
        FOR EACH ROW EXECUTE FUNCTION fail_outbox();`);
    const before = await gw.counts();
    try {
      const res = await gw.postBatch(batch, terminal);
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({ code: 'INTERNAL', retryable: true });
      expect(await gw.counts()).toEqual(before);
      expect(await countFor('terminal_ingest_state', terminal.credentials.id)).toBe(0);
    } finally {
      await gw.db.query('DROP TRIGGER fail_outbox ON outbox; DROP FUNCTION fail_outbox()');
    }
    const retry = (await gw.postBatch(batch, terminal)).json<Receipt>();
    expect(retry).toMatchObject({ accepted: 4, replayed: false });
  });
});

describe('terminal identity', () => {
  it('refuses a batch of another terminal, and records of another operator', async () => {
    const a = await gw.addTerminal();
    const b = await gw.addTerminal();
    const before = await gw.counts();
    const asOther = await gw.post(
      PROTOCOL_PATHS.batches,
      b.batch(b.records(card, 1)),
      a.credentials,
    );
    expect(asOther.statusCode).toBe(403);
    expect(asOther.json()).toMatchObject({ code: 'TERMINAL_MISMATCH' });
    await gw.addOperator('lakeside-bus');
    const foreign = a.batch([a.record(card, { operatorId: 'lakeside-bus' })]);
    const res = await gw.postBatch(foreign, a);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'TERMINAL_MISMATCH', details: { sequence: 1 } });
    // Claiming another terminal's id without its key.
    const forged = await gw.post(PROTOCOL_PATHS.batches, b.batch(b.records(card, 1)), {
      ...b.credentials,
      macKey: a.credentials.macKey,
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toMatchObject({ code: 'REQUEST_SIGNATURE_INVALID' });
    expect(await gw.counts()).toEqual(before);
  });

  it('refuses a disabled terminal, and a terminal of a disabled operator', async () => {
    const terminal = await gw.addTerminal();
    await gw.db.query(`UPDATE terminals SET status = 'disabled' WHERE id = $1`, [
      terminal.credentials.id,
    ]);
    const before = await gw.counts();
    const res = await gw.postBatch(terminal.batch(terminal.records(card, 1)), terminal);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'TERMINAL_DISABLED' });
    await gw.addOperator('closed-bus');
    const other = await gw.addTerminal('closed-bus');
    await gw.db.query(`UPDATE operators SET enabled = false WHERE id = 'closed-bus'`);
    const closed = await gw.postBatch(other.batch(other.records(card, 1)), other);
    expect(closed.json()).toMatchObject({ code: 'TERMINAL_DISABLED' });
    expect(await gw.counts()).toEqual(before);
  });
});

describe('single-record endpoint', () => {
  it('stores one record, then answers the same record as a duplicate', async () => {
    const terminal = await gw.addTerminal();
    const record = terminal.record(card);
    const res = await gw.post(PROTOCOL_PATHS.transactions, record, terminal.credentials);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<SingleReceipt>()).toMatchObject({
      terminalId: terminal.credentials.id,
      outcome: { sequence: 1, outcome: 'accepted' },
      highestContiguousSequence: 1,
    });
    const again = await gw.post(PROTOCOL_PATHS.transactions, record, terminal.credentials);
    expect(again.json<SingleReceipt>().outcome).toEqual({ sequence: 1, outcome: 'duplicate' });
    expect(await countFor('transactions', terminal.credentials.id)).toBe(1);
  });
});
