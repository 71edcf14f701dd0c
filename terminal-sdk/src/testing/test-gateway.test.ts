import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  PROTOCOL_PATHS,
  buildBatch,
  signRecord,
  signRequest,
  type Batch,
  type RecordDraft,
} from '../protocol/index.js';
import { sampleDraft } from './sample-record.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

const terminal = { terminalId: 'T-5', operatorId: 'shop', macKeyId: 'k1', macKey: randomBytes(16) };
let gateway: TestGateway;

beforeEach(async () => {
  gateway = await startTestGateway();
  gateway.ledger.terminals.set('T-5', terminal);
});
afterEach(() => gateway.close());

function batch(drafts: RecordDraft[], batchSequence = 1, firstSequence = 1): Batch {
  const records = drafts.map((d, i) =>
    signRecord({ v: 1, terminalId: 'T-5', sequence: firstSequence + i, ...d }, terminal.macKey),
  );
  return buildBatch({
    ...terminal,
    batchSequence,
    prevHash: GENESIS_HASH,
    records,
    skipped: [],
    createdAt: new Date().toISOString(),
  });
}

async function post(
  body: unknown,
  signer = terminal,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const text = JSON.stringify(body);
  const headers = signRequest(
    signer,
    { method: 'POST', path: PROTOCOL_PATHS.batches, body: text },
    new Date(),
  );
  const res = await fetch(`${gateway.url}${PROTOCOL_PATHS.batches}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: text,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('test gateway', () => {
  it('stores a batch once, answers a replay with the same receipt, refuses a changed one', async () => {
    const first = batch([sampleDraft(), sampleDraft()]);
    expect((await post(first)).json).toMatchObject({ accepted: 2, replayed: false });
    expect((await post(first)).json).toMatchObject({ accepted: 2, replayed: true });
    const changed = batch([sampleDraft()]);
    expect(await post(changed)).toMatchObject({
      status: 409,
      json: { code: 'BATCH_SEQUENCE_CONFLICT' },
    });
    expect(gateway.ledger.records.size).toBe(2);
  });

  it('reports duplicates and conflicts by (terminal, sequence), storing neither twice', async () => {
    await post(batch([sampleDraft()]));
    const again = batch([sampleDraft(), sampleDraft({ purseCounter: 99 })], 2, 1);
    const other = batch([sampleDraft({ purseCounter: 42 })], 3, 1);
    expect((await post(again)).json).toMatchObject({
      accepted: 1,
      duplicate: 1,
      highestContiguousSequence: 2,
    });
    expect((await post(other)).json.outcomes).toEqual([
      { sequence: 1, outcome: 'conflict', reason: 'SEQUENCE_REUSED' },
    ]);
    expect(gateway.ledger.records.size).toBe(2);
    expect(gateway.ledger.conflicts).toHaveLength(1);
  });

  it('refuses bad MACs, bad JSON and a terminal posting as another, writing nothing', async () => {
    const good = batch([sampleDraft()]);
    const badMac = { ...good, mac: '0'.repeat(32) };
    expect(await post(badMac)).toMatchObject({ status: 401, json: { code: 'BATCH_MAC_INVALID' } });
    const badRecord = { ...good, records: [{ ...good.records[0], amount: '2.5' }] };
    expect(await post(badRecord)).toMatchObject({
      status: 400,
      json: { code: 'VALIDATION_FAILED' },
    });
    const intruder = { ...terminal, terminalId: 'T-6', macKey: randomBytes(16) };
    gateway.ledger.terminals.set('T-6', intruder);
    expect(await post(good, intruder)).toMatchObject({ status: 403, json: { code: 'FORBIDDEN' } });
    expect(await post(good, { ...terminal, macKey: randomBytes(16) })).toMatchObject({
      status: 401,
      json: { code: 'REQUEST_SIGNATURE_INVALID' },
    });
    expect(gateway.ledger.records.size).toBe(0);
  });
});
