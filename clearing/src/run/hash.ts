import { createHash } from 'node:crypto';
import { isAmount } from '@citycard/core/money';
import type { ClearingResult } from './compute.js';
import type { TransactionKeys } from './take-transactions.js';

/**
 * JSON with object keys sorted at every level and amounts as their two-place strings, so equal
 * values always give equal bytes.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalValue(value));
}

function canonicalValue(value: unknown): unknown {
  if (isAmount(value)) return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonicalValue(v)]));
  }
  return value;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A multiset digest of a set of input rows, computed in SQL: the count and the sums of two
 * 60-bit slices of each row's md5. Sums do not depend on the order rows come in, and sorting
 * millions of rows to hash them in sequence is not needed.
 */
export interface InputDigest {
  readonly count: number;
  readonly h1: string;
  readonly h2: string;
}

export interface InputHashParts {
  readonly day: string;
  readonly cutoff: Date;
  readonly transactions: TransactionKeys;
  readonly cashMovements: InputDigest;
  readonly loads: InputDigest;
  readonly adjustments: InputDigest;
}

export function inputHash(parts: InputHashParts): string {
  return sha256Hex(canonicalJson({ kind: 'clearing-input', ...parts }));
}

/**
 * The hash of what a run produced: lines, subsidies, positions, the entries it posted (without
 * their ids) and the rules applied, tied to the input hash. Nothing in it depends on when or by
 * whom the run was made, so a rerun over the same inputs gives the same hash.
 */
export function outputHash(day: string, input: string, result: ClearingResult): string {
  return sha256Hex(
    canonicalJson({
      kind: 'clearing-output',
      day,
      inputHash: input,
      ruleVersions: result.ruleVersions,
      // Versions, not row ids, name the rules: ids differ between databases holding the same rules.
      lines: result.lines.map(({ feeScheduleId: _id, ...line }) => line),
      subsidies: result.subsidies,
      positions: result.positions,
      issuance: result.issuance,
      entries: result.entries,
    }),
  );
}
