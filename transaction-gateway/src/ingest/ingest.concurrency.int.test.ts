import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_PATHS, type Receipt, type SingleReceipt } from '@citycard/terminal-sdk/protocol';
import { startGatewayTestApp, type GatewayTestApp, type TestCard } from '../testing/index.js';
import { writeUpload, type RecordRow } from './ingest.repository.js';
import { recordHash } from './record-hash.js';

let gw: GatewayTestApp;
let card: TestCard;

beforeAll(async () => {
  gw = await startGatewayTestApp();
  card = await gw.addCard();
});
afterAll(async () => {
  await gw.close();
});

async function stateOf(terminalId: string) {
  const { rows } = await gw.db.query<{ highest_contiguous: string; version: string }>(
    'SELECT highest_contiguous, version FROM terminal_ingest_state WHERE terminal_id = $1',
    [terminalId],
  );
  return rows[0];
}

async function storedSequences(terminalId: string): Promise<number[]> {
  const { rows } = await gw.db.query<{ sequence: string }>(
    'SELECT sequence FROM transactions WHERE terminal_id = $1 ORDER BY sequence',
    [terminalId],
  );
  return rows.map((r) => Number(r.sequence));
}

describe('uploads of one terminal at the same time', () => {
  it('stores every batch and single record once, and contiguity covers them all', async () => {
    const terminal = await gw.addTerminal();
    // Six batches of five, then four single records, all sent at once.
    const batches = Array.from({ length: 6 }, () => terminal.batch(terminal.records(card, 5)));
    const singles = terminal.records(card, 4);
    const answers = await Promise.all([
      ...batches.reverse().map((b) => gw.postBatch(b, terminal)),
      ...singles.map((r) => gw.post(PROTOCOL_PATHS.transactions, r, terminal.credentials)),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 200));
    const accepted = answers.slice(0, 6).reduce((n, a) => n + a.json<Receipt>().accepted, 0);
    expect(accepted).toBe(30);
    for (const a of answers.slice(6)) {
      expect(a.json<SingleReceipt>().outcome.outcome).toBe('accepted');
    }
    expect(await storedSequences(terminal.credentials.id)).toEqual(
      Array.from({ length: 34 }, (_, i) => i + 1),
    );
    // Each upload moved the terminal's version once, whichever order they landed in.
    expect(await stateOf(terminal.credentials.id)).toEqual({
      highest_contiguous: '34',
      version: '10',
    });
  });

  it('writes nothing when the version read is no longer the terminal’s', async () => {
    const terminal = await gw.addTerminal();
    await gw.postBatch(terminal.batch(terminal.records(card, 2)), terminal);
    const record = terminal.record(card);
    const row: RecordRow = {
      record,
      hash: recordHash(record),
      status: 'accepted',
      reason: null,
    };
    const before = await gw.counts();
    const written = await writeUpload(
      gw.db,
      {
        terminalId: terminal.credentials.id,
        operatorId: terminal.credentials.operatorId,
        batchSequence: null,
        receivedAt: new Date(),
        businessDay: '2026-01-01',
      },
      {
        expectedVersion: '0',
        highestContiguous: 3,
        highestSeen: 3,
        inserts: [row],
        conflicts: [],
        skipped: [],
        outbox: { topic: 'record.stored', payload: { sequences: [3] } },
        batch: undefined,
      },
    );
    expect(written).toBe(false);
    expect(await gw.counts()).toEqual(before);
    expect(await stateOf(terminal.credentials.id)).toEqual({
      highest_contiguous: '2',
      version: '1',
    });
  });
});
