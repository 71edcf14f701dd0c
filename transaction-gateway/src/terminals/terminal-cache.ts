import { open } from '@citycard/core/crypto';
import { AppError } from '@citycard/core/errors';
import type { GatewayDeps } from '../deps.js';
import {
  findTerminal,
  macKeyAad,
  type TerminalRow,
  type TerminalStatus,
} from './terminal.repository.js';

/** What a request needs of its terminal: the row as read, with its MAC key opened. */
export interface KnownTerminal {
  readonly id: string;
  readonly operatorId: string;
  readonly macKeyId: string;
  readonly macKey: Buffer;
  readonly status: TerminalStatus;
  /** The sealed key as stored: a new enrolment changes it. */
  readonly sealedKey: string;
  /** The current certificate's SHA-256 fingerprint; null for a terminal enrolled without one. */
  readonly certFingerprint: string | null;
}

interface Entry {
  readonly terminal: KnownTerminal;
  readonly readAt: number;
}

/**
 * How long a terminal row read from the database is used without reading it again. Every
 * request is signed under the terminal's key, and ingest re-reads the row's status and key in
 * the statement that precedes its write, so a disable or a new key stops uploads at once; only
 * distribution reads may see a row this old.
 */
export const TERMINAL_CACHE_MS = 1000;

/** The largest number of terminals kept; beyond it the oldest reads are dropped first. */
const MAX_ENTRIES = 50_000;

/**
 * Terminal rows with their MAC keys already opened, per process. Opening a sealed key and reading
 * the row on every request cost more than the rest of a single-record upload's checks; a key
 * kept as the same Buffer also keeps its CMAC subkeys. Unknown terminals are never kept.
 */
export class TerminalCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly deps: Pick<GatewayDeps, 'db' | 'macKeyKek'>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The terminal, from memory when read less than TERMINAL_CACHE_MS ago; `fresh` reads it now. */
  async get(id: string, fresh = false): Promise<{ terminal?: KnownTerminal; cached: boolean }> {
    const entry = this.entries.get(id);
    if (!fresh && entry !== undefined && this.now() - entry.readAt < TERMINAL_CACHE_MS) {
      return { terminal: entry.terminal, cached: true };
    }
    const row = await findTerminal(this.deps.db, id);
    const terminal = row && this.known(row, entry?.terminal);
    if (terminal === undefined) this.entries.delete(id);
    else this.keep(id, terminal);
    return { ...(terminal === undefined ? {} : { terminal }), cached: false };
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  private known(row: TerminalRow, before: KnownTerminal | undefined): KnownTerminal | undefined {
    if (row.mac_key_sealed == null || row.mac_key_id === null) return undefined;
    const sealedKey = row.mac_key_sealed;
    const macKey =
      before?.sealedKey === sealedKey
        ? before.macKey
        : open(sealedKey, [this.deps.macKeyKek], macKeyAad(row.id));
    return {
      id: row.id,
      operatorId: row.operator_id,
      macKeyId: row.mac_key_id,
      macKey,
      status: row.operator_enabled ? row.status : 'disabled',
      sealedKey,
      certFingerprint: row.cert_fingerprint,
    };
  }

  private keep(id: string, terminal: KnownTerminal): void {
    this.entries.delete(id);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(id, { terminal, readAt: this.now() });
  }
}

/** The terminal's row as it stands now, checked again right before an upload is written. */
export interface CurrentTerminal {
  status: TerminalStatus;
  operator_enabled: boolean;
  mac_key_sealed: string | null;
}

/**
 * Refuses an upload whose terminal was disabled (or its operator), or given a new key, since the
 * request was authenticated from a kept row: the same answers the first lookup gives.
 */
export function assertStillCurrent(
  cache: TerminalCache,
  known: Pick<KnownTerminal, 'id' | 'sealedKey'>,
  current: CurrentTerminal | null,
): void {
  if (current?.mac_key_sealed !== known.sealedKey) {
    cache.forget(known.id);
    throw new AppError('REQUEST_SIGNATURE_INVALID');
  }
  if (current.status !== 'enrolled' || !current.operator_enabled) {
    cache.forget(known.id);
    throw new AppError('TERMINAL_DISABLED', { details: { terminalId: known.id } });
  }
}
