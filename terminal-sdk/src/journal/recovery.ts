import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@citycard/core/errors';
import { syncDirectory } from './atomic-file.js';
import { encodeSkipEntry, lastSequenceOf, scanEntries } from './entry-codec.js';
import {
  listSegments,
  readState,
  segmentName,
  writeState,
  type JournalState,
} from './journal-files.js';

export interface Segment {
  first: number;
  /** The last sequence in the segment; first − 1 while it is empty. */
  last: number;
  path: string;
  /** Bytes of whole, durable entries. */
  size: number;
}

export interface Recovered {
  state: JournalState;
  segments: Segment[];
  durableThrough: number;
}

async function truncateTo(path: string, length: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function loadSegments(dir: string, maxEntryBytes: number): Promise<Segment[]> {
  const files = await listSegments(dir);
  const segments: Segment[] = [];
  for (const [index, file] of files.entries()) {
    const previous = segments.at(-1);
    if (previous && file.first !== previous.last + 1) {
      throw new AppError('JOURNAL_CORRUPT', { details: { segment: file.first } });
    }
    const bytes = await readFile(file.path);
    const { entries, validLength } = scanEntries(bytes, file.first - 1, maxEntryBytes);
    if (validLength < bytes.length) {
      // Only the segment being written when the process died may end in a torn entry.
      if (index !== files.length - 1) {
        throw new AppError('JOURNAL_CORRUPT', { details: { segment: file.first } });
      }
      await truncateTo(file.path, validLength);
    }
    const lastEntry = entries.at(-1);
    const last = lastEntry ? lastSequenceOf(lastEntry) : file.first - 1;
    segments.push({ first: file.first, last, path: file.path, size: validLength });
  }
  return segments;
}

async function appendSkip(segment: Segment, from: number, to: number): Promise<void> {
  const bytes = encodeSkipEntry(from, to);
  const handle = await open(segment.path, 'a', 0o600);
  try {
    await handle.write(bytes);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  segment.size += bytes.length;
  segment.last = to;
}

async function newSegment(dir: string, first: number): Promise<Segment> {
  const path = join(dir, segmentName(first));
  const handle = await open(path, 'a', 0o600);
  await handle.close();
  await syncDirectory(dir);
  return { first, last: first - 1, path, size: 0 };
}

/**
 * Brings a journal directory back to a consistent state: cuts a torn tail off the last segment,
 * and declares as skipped every sequence that was reserved but is not on disk, so that none is
 * handed out twice.
 */
export async function recoverJournal(dir: string, maxEntryBytes: number): Promise<Recovered> {
  const state = await readState(dir);
  const segments = await loadSegments(dir, maxEntryBytes);
  let durableThrough = Math.max(state.ackedThrough, segments.at(-1)?.last ?? 0);
  if (segments.length === 0 || (segments.at(-1)?.last ?? 0) < durableThrough) {
    // Everything the segments hold is acknowledged: start afresh after the ack mark.
    for (const segment of segments.splice(0)) await unlink(segment.path);
    segments.push(await newSegment(dir, durableThrough + 1));
  }
  if (state.ceiling > durableThrough) {
    await appendSkip(segments.at(-1) as Segment, durableThrough + 1, state.ceiling);
    durableThrough = state.ceiling;
  }
  if (state.ceiling !== durableThrough) {
    state.ceiling = durableThrough;
    await writeState(dir, state);
  }
  return { state, segments, durableThrough };
}
