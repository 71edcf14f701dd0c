import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type FileJournal } from '../journal/index.js';
import { verifyRecordMac } from '../protocol/index.js';
import { sampleDraft } from '../testing/sample-record.js';
import { createRecorder, decodeRecordPayload } from './recorder.js';

const credentials = { terminalId: 'T-7', macKey: randomBytes(16) };
let dir: string;
let journal: FileJournal;

async function setup(maxBytes?: number) {
  dir = await mkdtemp(join(tmpdir(), 'recorder-'));
  journal = await openJournal({ dir, maxBytes });
  return createRecorder({ journal, credentials });
}

afterEach(async () => {
  await journal.close();
  await rm(dir, { recursive: true, force: true });
});

describe('recorder', () => {
  it('numbers, MACs and journals each record before resolving', async () => {
    const recorder = await setup();
    const records = await Promise.all([1, 2, 3].map(() => recorder.record(sampleDraft())));
    expect(records.map((r) => r.sequence)).toEqual([1, 2, 3]);
    for (const r of records) {
      expect(r).toMatchObject({ v: 1, terminalId: 'T-7' });
      expect(verifyRecordMac(r, credentials.macKey)).toBe(true);
    }
    expect(journal.stats().durableThrough).toBe(3);
    const [first] = await journal.readPending(1);
    expect(first?.kind === 'record' && decodeRecordPayload(first.payload)).toEqual(records[0]);
  });

  it('refuses an invalid draft without taking a sequence', async () => {
    const recorder = await setup();
    await expect(recorder.record(sampleDraft({ balanceAfter: '1.00' }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect((await recorder.record(sampleDraft())).sequence).toBe(1);
  });

  it('passes JOURNAL_FULL on, so the terminal stops selling', async () => {
    const recorder = await setup(2000);
    const outcome = await (async () => {
      for (let i = 0; i < 100; i++) await recorder.record(sampleDraft());
      return 'never full';
    })().catch((e: unknown) => e);
    expect(outcome).toMatchObject({ code: 'JOURNAL_FULL' });
  });
});
