import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROTOCOL_PATHS,
  batchMac,
  batchHeaderOf,
  buildBatch,
  signRequest,
  type Batch,
} from '@citycard/terminal-sdk/protocol';
import {
  startGatewayTestApp,
  type GatewayTestApp,
  type TestCard,
  type TestTerminal,
} from '../testing/index.js';

let gw: GatewayTestApp;
let terminal: TestTerminal;
let card: TestCard;
let before: Record<string, number>;

beforeAll(async () => {
  gw = await startGatewayTestApp();
  terminal = await gw.addTerminal();
  card = await gw.addCard();
  before = await gw.counts();
});
afterAll(async () => {
  // Nothing any of these requests sent was written.
  expect(await gw.counts()).toEqual(before);
  await gw.close();
});

/** A fresh, correct batch to break one thing in (the terminal state is not moved on). */
function goodBatch(n = 3): Batch {
  const { sequence, batchSequence, prevHash } = terminal;
  const batch = terminal.batch(terminal.records(card, n));
  Object.assign(terminal, { sequence, batchSequence, prevHash });
  return batch;
}

function remac(batch: Batch): Batch {
  return { ...batch, mac: batchMac(batchHeaderOf(batch), terminal.credentials.macKey) };
}

async function expectRefused(body: unknown, status: number, code: string) {
  const res = await gw.postBatch(body, terminal);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toMatchObject({ code });
}

describe('bad input: 4xx with a code, nothing written', () => {
  it('malformed JSON, wrong types, unknown fields', async () => {
    await expectRefused('{"v":1,', 400, 'VALIDATION_FAILED');
    await expectRefused('', 400, 'VALIDATION_FAILED');
    await expectRefused('[]', 400, 'VALIDATION_FAILED');
    await expectRefused({ ...goodBatch(), count: '3' }, 400, 'VALIDATION_FAILED');
    await expectRefused({ ...goodBatch(), extra: true }, 400, 'VALIDATION_FAILED');
    const batch = goodBatch();
    const badAmount = { ...batch, records: [{ ...batch.records[0], amount: 2 }] };
    await expectRefused(badAmount, 400, 'VALIDATION_FAILED');
    const float = { ...batch, records: [{ ...batch.records[0], amount: '2.005' }] };
    await expectRefused(float, 400, 'VALIDATION_FAILED');
    // A NUL inside a string, even one the terminal MACed: the database could not store it.
    const [first, ...rest] = batch.records;
    if (first === undefined) throw new Error('a record');
    const nul = terminal.batch([
      terminal.record(card, { sequence: first.sequence, location: { stopId: 'a\u0000b' } }),
      ...rest,
    ]);
    terminal.batchSequence -= 1;
    await expectRefused(nul, 400, 'VALIDATION_FAILED');
  });

  it('wrong content type', async () => {
    const text = JSON.stringify(goodBatch());
    const headers = signRequest(
      { terminalId: terminal.credentials.id, macKey: terminal.credentials.macKey },
      { method: 'POST', path: PROTOCOL_PATHS.batches, body: text },
      gw.deps.clock(),
    );
    const res = await gw.app.inject({
      method: 'POST',
      url: PROTOCOL_PATHS.batches,
      payload: text,
      headers: { ...headers, 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(415);
    const withCharset = await gw.app.inject({
      method: 'POST',
      url: PROTOCOL_PATHS.batches,
      payload: '{',
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
    });
    // Read as JSON (and refused as malformed JSON), not refused as a media type.
    expect(withCharset.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('oversize bodies and batches', async () => {
    const big = { ...goodBatch(), pad: 'x'.repeat(gw.deps.settings.bodyLimitBytes) };
    await expectRefused(big, 413, 'PAYLOAD_TOO_LARGE');
    const batch = goodBatch(1);
    const record = batch.records[0];
    const many = { ...batch, records: Array(1001).fill(record), count: 1001 };
    await expectRefused(many, 400, 'VALIDATION_FAILED');
  });

  it('bad batch MAC, bad record MAC, broken totals and chain', async () => {
    const batch = goodBatch();
    await expectRefused({ ...batch, mac: '0'.repeat(32) }, 401, 'BATCH_MAC_INVALID');
    await expectRefused(remac({ ...batch, macKeyId: 'mk-other' }), 401, 'BATCH_MAC_INVALID');
    // A record changed after it was MACed, in a batch MACed over the changed record.
    const [first, ...rest] = batch.records;
    if (first === undefined) throw new Error('a record');
    const changed = { ...first, amount: '0.00', balanceAfter: first.balanceBefore };
    const rebuilt = buildBatch({
      terminalId: batch.terminalId,
      batchSequence: batch.batchSequence,
      macKeyId: batch.macKeyId,
      macKey: terminal.credentials.macKey,
      prevHash: batch.prevHash,
      records: [changed, ...rest],
      skipped: [],
      createdAt: batch.createdAt,
    });
    await expectRefused(rebuilt, 401, 'RECORD_MAC_INVALID');
    await expectRefused(remac({ ...batch, amountTotal: '99.00' }), 400, 'BATCH_INCONSISTENT');
    await expectRefused(remac({ ...batch, headHash: 'a'.repeat(64) }), 400, 'BATCH_INCONSISTENT');
    await expectRefused(remac({ ...batch, count: 2 }), 400, 'BATCH_INCONSISTENT');
    await expectRefused(
      remac({ ...batch, records: [...batch.records].reverse() }),
      400,
      'BATCH_INCONSISTENT',
    );
  });

  it('future dates: a batch made ahead of the clock, a request from the future', async () => {
    const ahead = new Date(gw.deps.clock().getTime() + 3600_000);
    const { sequence, batchSequence, prevHash } = terminal;
    const future = terminal.batch(terminal.records(card, 1), { createdAt: ahead });
    Object.assign(terminal, { sequence, batchSequence, prevHash });
    await expectRefused(future, 400, 'BATCH_TIME_INVALID');
    const res = await gw.post(PROTOCOL_PATHS.batches, goodBatch(), terminal.credentials, ahead);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'REQUEST_SIGNATURE_INVALID' });
    const year = terminal.record(card, { occurredAt: '2199-01-01T00:00:00Z' });
    terminal.sequence -= 1;
    const { sequence: s, batchSequence: b, prevHash: p } = terminal;
    const far = terminal.batch([year]);
    Object.assign(terminal, { sequence: s, batchSequence: b, prevHash: p });
    await expectRefused(far, 400, 'VALIDATION_FAILED');
  });

  it('unsigned, badly signed, or signed over another body', async () => {
    const text = JSON.stringify(goodBatch());
    const unsigned = await gw.app.inject({
      method: 'POST',
      url: PROTOCOL_PATHS.batches,
      payload: text,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const headers = signRequest(
      { terminalId: terminal.credentials.id, macKey: terminal.credentials.macKey },
      { method: 'POST', path: PROTOCOL_PATHS.batches, body: `${text} ` },
      gw.deps.clock(),
    );
    const otherBody = await gw.app.inject({
      method: 'POST',
      url: PROTOCOL_PATHS.batches,
      payload: text,
      headers: { ...headers, 'content-type': 'application/json' },
    });
    expect(otherBody.statusCode).toBe(401);
    expect(otherBody.json()).toMatchObject({ code: 'REQUEST_SIGNATURE_INVALID' });
    const unknown = await gw.post(PROTOCOL_PATHS.batches, text, {
      ...terminal.credentials,
      id: 'no-such-terminal',
    });
    expect(unknown.json()).toMatchObject({ code: 'REQUEST_SIGNATURE_INVALID' });
  });

  it('a single record with a bad MAC or for another terminal', async () => {
    const record = terminal.record(card);
    terminal.sequence -= 1;
    const bad = await gw.post(
      PROTOCOL_PATHS.transactions,
      { ...record, mac: 'f'.repeat(32) },
      terminal.credentials,
    );
    expect(bad.json()).toMatchObject({ code: 'RECORD_MAC_INVALID' });
    const other = await gw.addTerminal();
    const theirs = other.record(card);
    const asMine = await gw.post(PROTOCOL_PATHS.transactions, theirs, terminal.credentials);
    expect(asMine.statusCode).toBe(403);
    expect(asMine.json()).toMatchObject({ code: 'TERMINAL_MISMATCH' });
  });
});
