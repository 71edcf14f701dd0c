import { createHash } from 'node:crypto';
import { recordMacInput, type TransactionRecord } from '@citycard/terminal-sdk/protocol';

/**
 * sha256 of the record's canonical bytes without its MAC: two copies are "identical" exactly when
 * these agree, whatever key MACed them.
 */
export function recordHash(record: TransactionRecord): string {
  return createHash('sha256').update(recordMacInput(record)).digest('hex');
}
