import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { AppError } from '@citycard/core/errors';
import type { PendingTap, PendingTapStore } from './pending-taps.js';

const UID = /^([0-9A-F]{8}|[0-9A-F]{14})$/;
const SUFFIX = '.pending.json';

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fileOf(dir: string, uid: string): string {
  if (!UID.test(uid)) {
    throw new AppError('VALIDATION_FAILED', { message: 'A pending tap needs a hex UID' });
  }
  return join(dir, `${uid}${SUFFIX}`);
}

/**
 * Pending taps on disk, one file per card, written whole and fsynced before `put` returns — a tap
 * puts its pending entry before the purse commit, so a terminal that loses power mid-tap still
 * knows, after restart, which card owes it a record. Synchronous on purpose: the file is a few
 * hundred bytes and the tap must not go on before it is durable.
 */
export class FilePendingTapStore implements PendingTapStore {
  readonly #dir: string;
  readonly #taps = new Map<string, PendingTap>();

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) {
      if (!name.endsWith(SUFFIX)) continue;
      const tap = JSON.parse(readFileSync(join(dir, name), 'utf8')) as PendingTap;
      this.#taps.set(tap.uid, tap);
    }
  }

  get(uid: string): PendingTap | undefined {
    const tap = this.#taps.get(uid);
    return tap === undefined ? undefined : structuredClone(tap);
  }

  put(tap: PendingTap): void {
    const path = fileOf(this.#dir, tap.uid);
    const temp = `${path}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(tap));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    syncDir(this.#dir);
    this.#taps.set(tap.uid, structuredClone(tap));
  }

  delete(uid: string): void {
    if (!this.#taps.has(uid)) return;
    unlinkSync(fileOf(this.#dir, uid));
    syncDir(this.#dir);
    this.#taps.delete(uid);
  }

  list(): PendingTap[] {
    return [...this.#taps.values()].map((t) => structuredClone(t));
  }
}
