import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit row that its hash covers: everything but the two hashes of the chain. */
export interface AuditFields {
  /** bigint as a decimal string */
  readonly seq: string;
  readonly at: Date;
  readonly actorStaffId: string | null;
  readonly actorRoles: readonly string[];
  readonly actorSystem: string | null;
  readonly counterId: string | null;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly requestId: string;
  readonly beforeHash: string | null;
  readonly afterHash: string | null;
}

export interface ChainedRow extends AuditFields {
  readonly prevHash: string;
  readonly hash: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A fixed-order JSON array, so the same row always serialises to the same text whatever order
 * its object's keys were built in.
 */
export function canonicalFields(f: AuditFields): string {
  return JSON.stringify([
    f.seq,
    f.at.toISOString(),
    f.actorStaffId,
    [...f.actorRoles],
    f.actorSystem,
    f.counterId,
    f.action,
    f.targetType,
    f.targetId,
    f.requestId,
    f.beforeHash,
    f.afterHash,
  ]);
}

export function chainHash(prevHash: string, fields: AuditFields): string {
  return sha256(`${prevHash}\n${canonicalFields(fields)}`);
}

/** JSON with object keys sorted at every depth, for hashing a before/after snapshot. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

export function snapshotHash(value: unknown): string | null {
  if (value === undefined) return null;
  return sha256(canonicalJson(value) ?? 'null');
}

export type BreakReason = 'seq_gap' | 'prev_hash_mismatch' | 'hash_mismatch' | 'head_mismatch';

export interface ChainCursor {
  /** seq of the last row checked (or of the row before the first one), "0" at the start */
  readonly seq: string;
  readonly hash: string;
}

export type StepResult = { ok: true; cursor: ChainCursor } | { ok: false; reason: BreakReason };

/**
 * Checks one row against the row before it. A removed row shows as a gap in seq and a prev_hash
 * that no longer matches; a changed or moved row no longer hashes to its stored hash.
 */
export function checkRow(cursor: ChainCursor, row: ChainedRow): StepResult {
  if (BigInt(row.seq) !== BigInt(cursor.seq) + 1n) return { ok: false, reason: 'seq_gap' };
  if (row.prevHash !== cursor.hash) return { ok: false, reason: 'prev_hash_mismatch' };
  if (chainHash(row.prevHash, row) !== row.hash) return { ok: false, reason: 'hash_mismatch' };
  return { ok: true, cursor: { seq: row.seq, hash: row.hash } };
}

export interface ChainVerdict {
  readonly ok: boolean;
  readonly checked: number;
  readonly firstBrokenSeq?: string;
  readonly reason?: BreakReason;
}

/** Verifies rows in seq order from `start`; stops at the first break. */
export function verifyRows(
  start: ChainCursor,
  rows: Iterable<ChainedRow>,
): { verdict: ChainVerdict; cursor: ChainCursor } {
  let cursor = start;
  let checked = 0;
  for (const row of rows) {
    const step = checkRow(cursor, row);
    if (!step.ok) {
      // A gap points at the first missing row rather than at the row after it.
      const at = step.reason === 'seq_gap' ? (BigInt(cursor.seq) + 1n).toString() : row.seq;
      return { verdict: { ok: false, checked, firstBrokenSeq: at, reason: step.reason }, cursor };
    }
    cursor = step.cursor;
    checked += 1;
  }
  return { verdict: { ok: true, checked }, cursor };
}
