import { mkdir, open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, isAppError } from '@citycard/core/errors';
import { syncDirectory } from './atomic-file.js';
import {
  ENTRY_HEADER_BYTES,
  encodeRecordEntry,
  lastSequenceOf,
  scanEntries,
  type DecodedEntry,
} from './entry-codec.js';
import { acquireLock, segmentName, writeState, type JournalState } from './journal-files.js';
import type { Journal, JournalItem, JournalStats } from './journal.types.js';
import { recoverJournal, type Segment } from './recovery.js';

export interface JournalOptions {
  dir: string;
  /** Bound on the segment files; an append beyond it is refused with JOURNAL_FULL. */
  maxBytes?: number;
  /** A segment is closed and a new one started past this size; whole segments are freed. */
  segmentBytes?: number;
  /** Sequences reserved per durable state write; at most this many are skipped after a crash. */
  reserve?: number;
  maxEntryBytes?: number;
}

interface Pending {
  sequence: number;
  bytes: Buffer;
  resolve: (sequence: number) => void;
  reject: (error: unknown) => void;
}

const DEFAULTS = {
  maxBytes: 64 * 1024 * 1024,
  segmentBytes: 1024 * 1024,
  reserve: 1024,
  maxEntryBytes: 64 * 1024,
};

function ioError(cause: unknown): AppError {
  if (isAppError(cause)) return cause;
  // The disk filled up below the configured bound: the same answer, stop selling.
  if ((cause as NodeJS.ErrnoException).code === 'ENOSPC') {
    return new AppError('JOURNAL_FULL', { cause, details: { disk: true } });
  }
  return new AppError('JOURNAL_IO', { cause });
}

/**
 * An append-only journal in segment files with group commit: appends that arrive while a write
 * and fsync are under way go out together in the next one.
 */
export class FileJournal implements Journal {
  readonly #dir: string;
  readonly #opts: typeof DEFAULTS;
  readonly #state: JournalState;
  readonly #segments: Segment[];
  readonly #release: () => Promise<void>;
  #handle: FileHandle;
  #next: number;
  #durableThrough: number;
  #pending: Pending[] = [];
  #pendingBytes = 0;
  #flushScheduled = false;
  #ops: Promise<unknown> = Promise.resolve();
  #stateWrites: Promise<unknown> = Promise.resolve();
  #failed: AppError | undefined;
  #closed = false;

  private constructor(init: {
    dir: string;
    opts: typeof DEFAULTS;
    state: JournalState;
    segments: Segment[];
    handle: FileHandle;
    durableThrough: number;
    release: () => Promise<void>;
  }) {
    this.#dir = init.dir;
    this.#opts = init.opts;
    this.#state = init.state;
    this.#segments = init.segments;
    this.#handle = init.handle;
    this.#durableThrough = init.durableThrough;
    this.#next = init.durableThrough + 1;
    this.#release = init.release;
  }

  static async open(options: JournalOptions): Promise<FileJournal> {
    const opts = { ...DEFAULTS, ...stripUndefined(options) };
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const release = await acquireLock(options.dir);
    try {
      const recovered = await recoverJournal(options.dir, opts.maxEntryBytes);
      const active = recovered.segments.at(-1);
      if (!active) throw new AppError('JOURNAL_IO', { message: 'No active segment' });
      const handle = await open(active.path, 'a', 0o600);
      return new FileJournal({ dir: options.dir, opts, ...recovered, handle, release });
    } catch (error) {
      await release();
      throw error;
    }
  }

  append(build: (sequence: number) => Buffer): Promise<number> {
    if (this.#closed || this.#failed) {
      return Promise.reject(this.#failed ?? new AppError('JOURNAL_IO', { message: 'Closed' }));
    }
    const sequence = this.#next;
    const bytes = encodeRecordEntry(sequence, build(sequence));
    if (bytes.length - ENTRY_HEADER_BYTES > this.#opts.maxEntryBytes) {
      return Promise.reject(new AppError('VALIDATION_FAILED', { message: 'Entry too large' }));
    }
    if (this.#diskBytes() + this.#pendingBytes + bytes.length > this.#opts.maxBytes) {
      return Promise.reject(
        new AppError('JOURNAL_FULL', { details: { maxBytes: this.#opts.maxBytes } }),
      );
    }
    this.#next = sequence + 1;
    this.#pendingBytes += bytes.length;
    return new Promise<number>((resolve, reject) => {
      this.#pending.push({ sequence, bytes, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        void this.#run(() => this.#flush());
      }
    });
  }

  readPending(limit: number, after?: number): Promise<JournalItem[]> {
    return this.#run(() => this.#read(limit, after ?? this.#state.ackedThrough));
  }

  acknowledge(throughSequence: number): Promise<void> {
    return this.#run(() => this.#acknowledge(throughSequence));
  }

  stats(): JournalStats {
    return {
      nextSequence: this.#next,
      durableThrough: this.#durableThrough,
      ackedThrough: this.#state.ackedThrough,
      bytes: this.#diskBytes(),
      maxBytes: this.#opts.maxBytes,
      segments: this.#segments.length,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#run(async () => {
      await this.#handle.close();
      // A clean stop gives back the unused reservation, so a restart skips nothing.
      if (!this.#failed && this.#pending.length === 0) {
        this.#state.ceiling = this.#durableThrough;
        await this.#saveState();
      }
    }).finally(() => this.#release());
  }

  #diskBytes(): number {
    return this.#segments.reduce((sum, s) => sum + s.size, 0);
  }

  #run<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#ops.then(op);
    this.#ops = result.catch(() => undefined);
    return result;
  }

  #saveState(): Promise<void> {
    const write = this.#stateWrites.then(() => writeState(this.#dir, { ...this.#state }));
    this.#stateWrites = write.catch(() => undefined);
    return write;
  }

  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const group = this.#pending.splice(0);
    if (group.length === 0) return;
    const groupBytes = group.reduce((sum, p) => sum + p.bytes.length, 0);
    try {
      if (this.#failed) throw this.#failed;
      const last = group[group.length - 1]?.sequence ?? 0;
      if (last > this.#state.ceiling) {
        this.#state.ceiling = last + this.#opts.reserve;
        await this.#saveState();
      }
      await this.#handle.write(Buffer.concat(group.map((p) => p.bytes)));
      await this.#handle.datasync();
      const active = this.#activeSegment();
      active.size += groupBytes;
      active.last = last;
      this.#durableThrough = last;
      this.#pendingBytes -= groupBytes;
      for (const p of group) p.resolve(p.sequence);
    } catch (error) {
      // After a failed write the file's tail is unknown: refuse everything until reopened.
      this.#failed = ioError(error);
      this.#pendingBytes -= groupBytes;
      for (const p of group) p.reject(this.#failed);
      return;
    }
    if (this.#activeSegment().size >= this.#opts.segmentBytes) {
      await this.#rotate().catch((error: unknown) => {
        this.#failed = ioError(error);
      });
    }
  }

  #activeSegment(): Segment {
    const active = this.#segments.at(-1);
    if (!active) throw new AppError('JOURNAL_IO', { message: 'No active segment' });
    return active;
  }

  async #rotate(): Promise<void> {
    const first = this.#durableThrough + 1;
    const path = join(this.#dir, segmentName(first));
    const handle = await open(path, 'a', 0o600);
    await syncDirectory(this.#dir);
    await this.#handle.close();
    this.#handle = handle;
    this.#segments.push({ first, last: first - 1, path, size: 0 });
  }

  async #acknowledge(through: number): Promise<void> {
    const target = Math.min(through, this.#durableThrough);
    if (target <= this.#state.ackedThrough) return;
    this.#state.ackedThrough = target;
    await this.#saveState();
    const active = this.#activeSegment();
    if (active.size > 0 && active.last <= target && !this.#failed) await this.#rotate();
    const done = this.#segments.filter((s) => s !== this.#activeSegment() && s.last <= target);
    for (const segment of done) {
      await unlink(segment.path);
      this.#segments.splice(this.#segments.indexOf(segment), 1);
    }
    if (done.length > 0) await syncDirectory(this.#dir);
  }

  async #read(limit: number, after: number): Promise<JournalItem[]> {
    const items: JournalItem[] = [];
    for (const segment of this.#segments) {
      if (items.length >= limit) break;
      if (segment.last <= after || segment.size === 0) continue;
      const bytes = (await readFile(segment.path)).subarray(0, segment.size);
      const { entries } = scanEntries(bytes, segment.first - 1, this.#opts.maxEntryBytes);
      for (const entry of entries) {
        if (items.length >= limit) break;
        if (lastSequenceOf(entry) > after) items.push(toItem(entry));
      }
    }
    return items;
  }
}

function toItem(entry: DecodedEntry): JournalItem {
  return entry.kind === 'record'
    ? { kind: 'record', sequence: entry.sequence, payload: entry.payload }
    : { kind: 'skip', from: entry.from, to: entry.to };
}

function stripUndefined(options: JournalOptions): Partial<typeof DEFAULTS> {
  return Object.fromEntries(
    Object.entries(options).filter(([k, v]) => v !== undefined && k !== 'dir'),
  );
}

export function openJournal(options: JournalOptions): Promise<FileJournal> {
  return FileJournal.open(options);
}
