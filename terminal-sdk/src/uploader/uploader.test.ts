import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '@citycard/core/errors';
import { openJournal, type FileJournal } from '../journal/index.js';
import { createRecorder, type TransactionRecorder } from '../recorder/index.js';
import { sampleDraft, startTestGateway, type TestGateway } from '../testing/index.js';
import { GatewayClient } from './gateway-client.js';
import { sendOnline } from './online.js';
import { startUploadLoop } from './upload-loop.js';
import {
  createUploader,
  type UploadResult,
  type Uploader,
  type UploaderOptions,
} from './uploader.js';

const credentials = {
  terminalId: 'T-1',
  operatorId: 'bus-north',
  macKeyId: 'k1',
  macKey: randomBytes(16),
};
let gateway: TestGateway;
let dir: string;
let journal: FileJournal;
let recorder: TransactionRecorder;
let delays: number[];

beforeEach(async () => {
  gateway = await startTestGateway();
  gateway.ledger.terminals.set('T-1', credentials);
  dir = await mkdtemp(join(tmpdir(), 'uploader-'));
  journal = await openJournal({ dir: join(dir, 'journal') });
  recorder = createRecorder({ journal, credentials });
  delays = [];
});

afterEach(async () => {
  await journal.close().catch(() => undefined);
  await gateway.close();
  await rm(dir, { recursive: true, force: true });
});

function uploader(overrides: Partial<UploaderOptions> = {}) {
  return createUploader({
    journal,
    client: new GatewayClient({ baseUrl: gateway.url, auth: credentials }),
    credentials,
    stateDir: join(dir, 'journal'),
    batchSize: 10,
    backoff: { baseMs: 100, maxMs: 1000, random: () => 0.5 },
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    ...overrides,
  });
}

async function recordMany(n: number, amount = '2.00'): Promise<void> {
  for (let i = 0; i < n; i++) {
    await recorder.record(
      sampleDraft({
        amount,
        balanceBefore: '100.00',
        balanceAfter: (100 - Number(amount)).toFixed(2),
      }),
    );
  }
}

describe('uploader', () => {
  it('sends the journal in batches and drops what the receipts acknowledge', async () => {
    await recordMany(25);
    const results = await uploader().drain();
    expect(results.map((r) => [r.batchSequence, r.records])).toEqual([
      [1, 10],
      [2, 10],
      [3, 5],
    ]);
    expect(gateway.ledger.recordsOf('T-1').map((r) => r.record.sequence)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(results.at(-1)?.receipt.highestContiguousSequence).toBe(25);
    expect(journal.stats().ackedThrough).toBe(25);
    expect(await journal.readPending(10)).toEqual([]);
  });

  it('retries a 503 with growing, jittered delays', async () => {
    await recordMany(3);
    gateway.faults.failNext = 3;
    const result = await uploader().uploadOnce();
    expect(result?.attempts).toBe(4);
    expect(delays).toEqual([75, 150, 300]);
    expect(result?.receipt.accepted).toBe(3);
  });

  it('re-sends the same batch after a lost answer, and nothing is stored twice', async () => {
    await recordMany(5);
    gateway.faults.dropNextResponses = 1;
    const result = await uploader().uploadOnce();
    expect(result?.attempts).toBe(2);
    expect(result?.receipt.replayed).toBe(true);
    expect(gateway.ledger.batchCount).toBe(1);
    expect(gateway.ledger.records.size).toBe(5);
  });

  it('resumes the batch in flight after a restart', async () => {
    await recordMany(4);
    gateway.faults.dropNextResponses = 1;
    await expect(uploader({ maxAttempts: 1 }).uploadOnce()).rejects.toMatchObject({
      code: 'GATEWAY_UNREACHABLE',
    });
    await recordMany(2);
    const second = uploader();
    const resumed = await second.uploadOnce();
    expect(resumed).toMatchObject({ batchSequence: 1, records: 4 });
    expect(resumed?.receipt.replayed).toBe(true);
    const next = await second.uploadOnce();
    expect(next).toMatchObject({ batchSequence: 2, records: 2 });
    expect(gateway.ledger.records.size).toBe(6);
  });

  it('takes quarantine as received and does not send those records again', async () => {
    gateway.ledger.quarantine = (r) => (r.amount === '9.00' ? 'FARE_MISMATCH' : undefined);
    await recordMany(2);
    await recordMany(1, '9.00');
    const [result] = await uploader().drain();
    expect(result?.receipt).toMatchObject({ accepted: 2, quarantined: 1, conflict: 0 });
    expect(result?.receipt.outcomes[2]).toEqual({
      sequence: 3,
      outcome: 'quarantined',
      reason: 'FARE_MISMATCH',
    });
    expect(journal.stats().ackedThrough).toBe(3);
    expect(await uploader().uploadOnce()).toBeUndefined();
  });

  it('declares sequences skipped after a crash, so the gateway sees no gap', async () => {
    await recordMany(3);
    await uploader().drain();
    await recordMany(2);
    const crashed = join(dir, 'crashed');
    await cp(join(dir, 'journal'), crashed, { recursive: true });
    await unlink(join(crashed, 'LOCK'));
    await journal.close();
    journal = await openJournal({ dir: crashed });
    recorder = createRecorder({ journal, credentials });
    await recordMany(1);
    const [result] = await uploader({ stateDir: crashed }).drain();
    const { highestContiguousSequence } = result?.receipt ?? {};
    expect(highestContiguousSequence).toBe(journal.stats().durableThrough);
    expect(highestContiguousSequence).toBeGreaterThan(6);
  });

  it('stops on a refusal that will not change, keeping the records', async () => {
    await recordMany(2);
    gateway.ledger.terminals.set('T-1', { ...credentials, macKey: randomBytes(16) });
    await expect(uploader().uploadOnce()).rejects.toMatchObject({
      code: 'REQUEST_SIGNATURE_INVALID',
    });
    expect(delays).toEqual([]);
    expect(journal.stats().ackedThrough).toBe(0);
  });
});

describe('online send', () => {
  it('stores one record at once, and the later batch finds it a duplicate', async () => {
    const record = await recorder.record(sampleDraft());
    const client = new GatewayClient({ baseUrl: gateway.url, auth: credentials });
    const single = await sendOnline(client, record);
    expect(single).toMatchObject({
      outcome: { sequence: 1, outcome: 'accepted' },
      highestContiguousSequence: 1,
    });
    const [result] = await uploader().drain();
    expect(result?.receipt).toMatchObject({ accepted: 0, duplicate: 1 });
  });
});

describe('upload loop', () => {
  it('uploads in the background, keeps going through failures, and stops', async () => {
    const errors: unknown[] = [];
    await recordMany(3);
    gateway.faults.failNext = 1;
    const loop = startUploadLoop(uploader({ maxAttempts: 1 }), {
      intervalMs: 10,
      backoff: { baseMs: 5, maxMs: 20 },
      onError: (e) => errors.push(e),
    });
    await vi.waitFor(() => expect(journal.stats().ackedThrough).toBe(3), { timeout: 2000 });
    await recordMany(2);
    loop.kick();
    await vi.waitFor(() => expect(journal.stats().ackedThrough).toBe(5), { timeout: 2000 });
    await loop.stop();
    expect(errors).toEqual([expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' })]);
  });
  it('reports the batches acknowledged before a later one failed', async () => {
    await recordMany(4);
    const real = uploader({ batchSize: 2, maxAttempts: 1 });
    let calls = 0;
    const flaky: Uploader = {
      uploadOnce: () => {
        calls++;
        if (calls === 2) return Promise.reject(new AppError('SERVICE_UNAVAILABLE'));
        return real.uploadOnce();
      },
      async drain() {
        const results: UploadResult[] = [];
        for (let r = await flaky.uploadOnce(); r; r = await flaky.uploadOnce()) results.push(r);
        return results;
      },
    };
    const reported: number[] = [];
    const loop = startUploadLoop(flaky, {
      intervalMs: 10,
      backoff: { baseMs: 5, maxMs: 20 },
      onUploaded: (results) => reported.push(...results.map((r) => r.records)),
      onError: () => undefined,
    });
    await vi.waitFor(() => expect(journal.stats().ackedThrough).toBe(4), { timeout: 2000 });
    await loop.stop();
    expect(reported.reduce((a, b) => a + b, 0)).toBe(4);
  });
});
