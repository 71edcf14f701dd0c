import { AppError } from '@citycard/core/errors';
import {
  macMatches,
  recordMacInput,
  verifyBatch,
  type Batch,
  type TransactionRecord,
} from '@citycard/terminal-sdk/protocol';
import type { GatewaySettings } from '../deps.js';
import type { TerminalPrincipal } from '../terminals/index.js';

// The fare engine's clock range: a terminal cannot have written a record outside it.
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
const LATEST = Date.parse('2106-01-01T00:00:00Z');

function checkRecordOwner(terminal: TerminalPrincipal, record: TransactionRecord): void {
  if (record.terminalId !== terminal.id || record.operatorId !== terminal.operatorId) {
    throw new AppError('TERMINAL_MISMATCH', { details: { sequence: record.sequence } });
  }
  const at = Date.parse(record.occurredAt);
  if (!(at >= EARLIEST && at < LATEST)) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'occurredAt is outside any time a terminal can record',
      details: { sequence: record.sequence },
    });
  }
}

/**
 * Everything refused before anything is written (4xx): a batch for another terminal or operator,
 * another MAC key, a creation time ahead of the gateway's clock, and what verifyBatch checks
 * (batch MAC, totals, coverage, hash chain, every record MAC). Answers each record's MAC input,
 * which its record_hash is made from.
 */
export function checkBatch(
  terminal: TerminalPrincipal,
  batch: Batch,
  now: Date,
  settings: GatewaySettings,
): readonly Buffer[] {
  if (batch.terminalId !== terminal.id) {
    throw new AppError('TERMINAL_MISMATCH', { details: { terminalId: batch.terminalId } });
  }
  if (batch.macKeyId !== terminal.macKeyId) {
    throw new AppError('BATCH_MAC_INVALID', { message: 'The batch names another MAC key' });
  }
  if (Date.parse(batch.createdAt) > now.getTime() + settings.requestToleranceSeconds * 1000) {
    throw new AppError('BATCH_TIME_INVALID', { details: { createdAt: batch.createdAt } });
  }
  for (const record of batch.records) checkRecordOwner(terminal, record);
  return verifyBatch(batch, terminal.macKey).macInputs;
}

/** A record posted alone: its owner and MAC. Answers its MAC input, as checkBatch does. */
export function checkSingleRecord(terminal: TerminalPrincipal, record: TransactionRecord): Buffer {
  checkRecordOwner(terminal, record);
  const macInput = recordMacInput(record);
  if (!macMatches(macInput, record.mac, terminal.macKey)) {
    throw new AppError('RECORD_MAC_INVALID', { details: { sequence: record.sequence } });
  }
  return macInput;
}
