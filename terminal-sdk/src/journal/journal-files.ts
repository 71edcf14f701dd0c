import { open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@citycard/core/errors';
import { writeFileAtomic } from './atomic-file.js';

const STATE_FILE = 'state.json';
const LOCK_FILE = 'LOCK';
const SEGMENT = /^segment-(\d{10})\.log$/;

/**
 * Kept beside the segments. `ceiling` is the highest sequence ever handed out or reserved: it is
 * made durable before any entry above it is written, so that a sequence lost in a torn tail is
 * still never given out again.
 */
export interface JournalState {
  ceiling: number;
  ackedThrough: number;
}

export function segmentName(firstSequence: number): string {
  return `segment-${String(firstSequence).padStart(10, '0')}.log`;
}

export async function listSegments(dir: string): Promise<{ first: number; path: string }[]> {
  const names = await readdir(dir);
  return names
    .map((name) => ({ name, match: SEGMENT.exec(name) }))
    .filter((n) => n.match !== null)
    .map((n) => ({ first: Number(n.match?.[1]), path: join(dir, n.name) }))
    .sort((a, b) => a.first - b.first);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export async function readState(dir: string): Promise<JournalState> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as JournalState;
    if (!Number.isSafeInteger(parsed.ceiling) || !Number.isSafeInteger(parsed.ackedThrough)) {
      throw new Error('malformed');
    }
    return { ceiling: parsed.ceiling, ackedThrough: parsed.ackedThrough };
  } catch (error) {
    if (isMissing(error)) return { ceiling: 0, ackedThrough: 0 };
    throw new AppError('JOURNAL_CORRUPT', { message: 'The journal state file is damaged' });
  }
}

export async function writeState(dir: string, state: JournalState): Promise<void> {
  await writeFileAtomic(join(dir, STATE_FILE), JSON.stringify(state));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One process per journal: a lock file with the owner's pid, taken over when the owner is gone. */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(path).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(await readFile(path, 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) {
      throw new AppError('JOURNAL_LOCKED', { details: { pid: owner } });
    }
    await unlink(path).catch(() => undefined);
  }
  throw new AppError('JOURNAL_LOCKED');
}
