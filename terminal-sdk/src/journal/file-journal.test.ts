import { cp, mkdtemp, open, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type JournalOptions } from './file-journal.js';
import type { Journal, JournalItem } from './journal.types.js';

const dirs: string[] = [];
const journals: Journal[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  dirs.push(dir);
  return dir;
}

async function openIn(dir: string, opts: Partial<JournalOptions> = {}): Promise<Journal> {
  const journal = await openJournal({ dir, ...opts });
  journals.push(journal);
  return journal;
}

/** A copy of the directory as a crash would leave it: whatever is on disk, no lock owner. */
async function crashCopy(dir: string): Promise<string> {
  const copy = await tempDir();
  await cp(dir, copy, { recursive: true });
  await unlink(join(copy, 'LOCK')).catch(() => undefined);
  return copy;
}

const payload = (sequence: number) => Buffer.from(`record ${sequence}`);

function sequencesOf(items: JournalItem[]): number[] {
  return items.flatMap((i) => (i.kind === 'record' ? [i.sequence] : []));
}

afterEach(async () => {
  await Promise.all(journals.splice(0).map((j) => j.close().catch(() => undefined)));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('file journal', () => {
  it('hands out increasing sequences and reads back what it appended', async () => {
    const journal = await openIn(await tempDir());
    const sequences = await Promise.all(Array.from({ length: 50 }, () => journal.append(payload)));
    expect(sequences).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const items = await journal.readPending(100);
    expect(sequencesOf(items)).toEqual(sequences);
    expect(items[7]).toEqual({ kind: 'record', sequence: 8, payload: payload(8) });
    expect(journal.stats()).toMatchObject({ durableThrough: 50, ackedThrough: 0 });
  });

  it('keeps entries until acknowledged and frees whole segments', async () => {
    const journal = await openIn(await tempDir(), { segmentBytes: 400 });
    for (let i = 0; i < 60; i++) await journal.append(payload);
    const before = journal.stats();
    expect(before.segments).toBeGreaterThan(3);
    await journal.acknowledge(30);
    expect(sequencesOf(await journal.readPending(10))).toEqual([
      31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    ]);
    expect(journal.stats().bytes).toBeLessThan(before.bytes);
    await journal.acknowledge(60);
    expect(await journal.readPending(10)).toEqual([]);
    expect(journal.stats().segments).toBe(1);
    expect(await journal.append(payload)).toBe(61);
  });

  it('continues after a clean close without skipping', async () => {
    const dir = await tempDir();
    const first = await openIn(dir);
    for (let i = 0; i < 5; i++) await first.append(payload);
    await first.acknowledge(2);
    await first.close();
    const second = await openIn(dir);
    expect(second.stats()).toMatchObject({ nextSequence: 6, ackedThrough: 2 });
    expect(sequencesOf(await second.readPending(10))).toEqual([3, 4, 5]);
  });

  it('never reuses a reserved sequence after a crash, and declares the gap', async () => {
    const dir = await tempDir();
    const journal = await openIn(dir, { reserve: 16 });
    for (let i = 0; i < 3; i++) await journal.append(payload);
    const recovered = await openIn(await crashCopy(dir), { reserve: 16 });
    const items = await recovered.readPending(10);
    expect(items).toEqual([
      { kind: 'record', sequence: 1, payload: payload(1) },
      { kind: 'record', sequence: 2, payload: payload(2) },
      { kind: 'record', sequence: 3, payload: payload(3) },
      { kind: 'skip', from: 4, to: 17 },
    ]);
    expect(await recovered.append(payload)).toBe(18);
  });

  it('cuts a torn tail at any byte and never hands its sequence out again', async () => {
    const dir = await tempDir();
    const journal = await openIn(dir);
    for (let i = 0; i < 4; i++) await journal.append(payload);
    await journal.close();
    const segment = join(dir, (await readdir(dir)).find((n) => n.startsWith('segment-')) ?? '');
    const size = (await stat(segment)).size;
    const lastEntry = 20 + payload(4).length;
    for (let cut = 1; cut <= lastEntry; cut += 3) {
      const copy = await crashCopy(dir);
      const handle = await open(join(copy, segment.slice(dir.length + 1)), 'r+');
      await handle.truncate(size - cut);
      await handle.close();
      const recovered = await openIn(copy);
      const items = await recovered.readPending(10);
      expect(sequencesOf(items)).toEqual([1, 2, 3]);
      expect(items.at(-1)).toEqual({ kind: 'skip', from: 4, to: 4 });
      expect(await recovered.append(payload)).toBe(5);
      await recovered.close();
    }
  });

  it('cuts an entry whose checksum fails', async () => {
    const dir = await tempDir();
    const journal = await openIn(dir);
    for (let i = 0; i < 3; i++) await journal.append(payload);
    await journal.close();
    const name = (await readdir(dir)).find((n) => n.startsWith('segment-')) ?? '';
    const handle = await open(join(dir, name), 'r+');
    const { size } = await handle.stat();
    await handle.write(Buffer.from('X'), 0, 1, size - 2);
    await handle.close();
    const recovered = await openIn(dir);
    expect(sequencesOf(await recovered.readPending(10))).toEqual([1, 2]);
  });

  it('refuses a damaged segment before the last one', async () => {
    const dir = await tempDir();
    const journal = await openIn(dir, { segmentBytes: 100 });
    for (let i = 0; i < 10; i++) await journal.append(payload);
    await journal.close();
    const names = (await readdir(dir)).filter((n) => n.startsWith('segment-')).sort();
    await writeFile(join(dir, names[0] ?? ''), 'garbage');
    await expect(openJournal({ dir })).rejects.toMatchObject({ code: 'JOURNAL_CORRUPT' });
  });

  it('refuses with JOURNAL_FULL at its bound and takes records again once acknowledged', async () => {
    const journal = await openIn(await tempDir(), { maxBytes: 1000, segmentBytes: 200 });
    let appended = 0;
    const refusal = await (async () => {
      for (;;) {
        try {
          await journal.append(payload);
          appended++;
        } catch (error) {
          return error;
        }
      }
    })();
    expect(refusal).toMatchObject({ code: 'JOURNAL_FULL' });
    expect(appended).toBeGreaterThan(10);
    expect(journal.stats().nextSequence).toBe(appended + 1);
    await journal.acknowledge(appended);
    expect(await journal.append(payload)).toBe(appended + 1);
  });

  it('is held by one process at a time', async () => {
    const dir = await tempDir();
    await openIn(dir);
    await expect(openJournal({ dir })).rejects.toMatchObject({ code: 'JOURNAL_LOCKED' });
  });

  it('takes no sequence when the payload cannot be built', async () => {
    const journal = await openIn(await tempDir());
    expect(() =>
      journal.append(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(await journal.append(payload)).toBe(1);
  });
});
