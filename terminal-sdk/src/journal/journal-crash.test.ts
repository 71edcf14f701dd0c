import { fork } from 'node:child_process';
import { cp, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crashPayload, type CrashWriterMessage } from '../testing/journal-crash-payload.js';
import { openJournal } from './file-journal.js';

const WRITER = fileURLToPath(new URL('../testing/journal-crash-writer.ts', import.meta.url));
const ITERATIONS = 6;

interface Observed {
  durable: Set<number>;
  maxAcked: number;
}

/** Runs the writer until a random moment after it is ready, then SIGKILLs it. */
function runAndKill(dir: string, observed: Observed, killAfterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(WRITER, [dir], {
      execArgv: ['--conditions=source', '--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('message', (message: CrashWriterMessage) => {
      switch (message.type) {
        case 'ready':
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          break;
        case 'durable':
          observed.durable.add(message.sequence);
          break;
        case 'acked':
          observed.maxAcked = Math.max(observed.maxAcked, message.through);
          break;
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

/** Opens a copy of the crashed directory (the original is left for the next writer to recover). */
async function verifyCopy(dir: string, observed: Observed): Promise<void> {
  const copy = await mkdtemp(join(tmpdir(), 'journal-crash-check-'));
  try {
    await cp(dir, copy, { recursive: true });
    await unlink(join(copy, 'LOCK')).catch(() => undefined);
    const journal = await openJournal({ dir: copy, maxBytes: 1 << 30 });
    const { ackedThrough, durableThrough } = journal.stats();
    expect(ackedThrough).toBeGreaterThanOrEqual(observed.maxAcked);
    const items = await journal.readPending(1_000_000);
    let expected = ackedThrough + 1;
    const present = new Set<number>();
    for (const item of items) {
      const from = item.kind === 'record' ? item.sequence : item.from;
      expect(from, 'items tile the unacknowledged range').toBe(expected);
      if (item.kind === 'record') {
        expect(item.payload.equals(crashPayload(item.sequence))).toBe(true);
        present.add(item.sequence);
      }
      expected = (item.kind === 'record' ? item.sequence : item.to) + 1;
    }
    expect(expected - 1).toBe(durableThrough);
    const lost = [...observed.durable].filter((s) => s > ackedThrough && !present.has(s));
    expect(lost, 'durable records lost').toEqual([]);
    // A sequence handed out but never written (the crash came before its group commit) is not on
    // disk and was never reported durable; everything that may have reached the disk is covered.
    const next = await journal.append(() => Buffer.from('probe'));
    expect(next).toBeGreaterThan(Math.max(durableThrough, ...observed.durable));
    await journal.close();
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

describe('journal under SIGKILL', () => {
  it('loses no durable record and reuses no sequence across repeated crashes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-crash-'));
    const observed: Observed = { durable: new Set(), maxAcked: 0 };
    try {
      for (let i = 0; i < ITERATIONS; i++) {
        await runAndKill(dir, observed, 20 + Math.floor(Math.random() * 250));
        await verifyCopy(dir, observed);
      }
      expect(observed.durable.size).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
