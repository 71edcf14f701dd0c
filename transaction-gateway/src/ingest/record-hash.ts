import { createHash } from 'node:crypto';
import { recordMacInput, type TransactionRecord } from '@citycard/terminal-sdk/protocol';

/** record_hash from the record's MAC input, when verifying its MAC has already made it. */
export function recordHashOf(macInput: Buffer): string {
  return createHash('sha256').update(macInput).digest('hex');
}

/**
 * sha256 of the record's canonical bytes without its MAC: two copies are "identical" exactly when
 * these agree, whatever key MACed them.
 */
export function recordHash(record: TransactionRecord): string {
  return recordHashOf(recordMacInput(record));
}
