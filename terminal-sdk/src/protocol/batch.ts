import { createHash } from 'node:crypto';
import { timingSafeEqualHex } from '@citycard/core/crypto';
import { AppError } from '@citycard/core/errors';
import { Amount, amountString, parseAmount } from '@citycard/core/money';
import { z } from 'zod';
import { canonicalBytes } from './canonical.js';
import { cmac } from './fast-cmac.js';
import { hex128, hex256, idString, isoDateTime, sequenceNumber } from './primitives.js';
import {
  canonicalRecord,
  macMatches,
  recordMacInputOf,
  transactionRecordSchema,
  type TransactionRecord,
} from './record.js';

export const BATCH_VERSION = 1;
export const BATCH_MAC_DOMAIN = 'citycard/batch/v1';
export const CHAIN_DOMAIN = 'citycard/chain/v1';
export const MAX_BATCH_RECORDS = 1000;
/** The chain head before a terminal's first batch. */
export const GENESIS_HASH = '0'.repeat(64);

/** Sequences a terminal reserved and never used (a crash between reserving and writing). */
export const skippedRangeSchema = z
  .strictObject({ from: sequenceNumber, to: sequenceNumber })
  .refine((r) => r.from <= r.to, { error: 'from must not exceed to' });
export type SkippedRange = z.infer<typeof skippedRangeSchema>;

const headerShape = {
  v: z.literal(BATCH_VERSION),
  terminalId: idString,
  /** Per terminal, from 1, one more for each new batch; a resent batch keeps its number. */
  batchSequence: sequenceNumber,
  macKeyId: idString,
  firstSequence: sequenceNumber,
  lastSequence: sequenceNumber,
  count: z.int().min(0).max(MAX_BATCH_RECORDS),
  amountTotal: amountString,
  skipped: z.array(skippedRangeSchema).max(MAX_BATCH_RECORDS),
  prevHash: hex256,
  headHash: hex256,
  createdAt: isoDateTime,
};

export const batchHeaderSchema = z.strictObject(headerShape);
export type BatchHeader = z.infer<typeof batchHeaderSchema>;

export const batchSchema = z.strictObject({
  ...headerShape,
  records: z.array(transactionRecordSchema).max(MAX_BATCH_RECORDS),
  mac: hex128,
});
export type Batch = z.infer<typeof batchSchema>;

const CHAIN_PREFIX = `${CHAIN_DOMAIN}\n`;

/** h_i from h_{i−1} and record i's canonical JSON with its MAC. */
function chainStep(head: Buffer, signed: string): Buffer {
  return createHash('sha256')
    .update(head)
    .update(CHAIN_PREFIX + signed, 'utf8')
    .digest();
}

/** h_i = SHA-256(h_{i−1} ‖ canonical bytes of record i, its MAC included); h_0 = prevHash. */
export function chainHead(prevHash: string, records: readonly TransactionRecord[]): string {
  let head: Buffer = Buffer.from(prevHash, 'hex');
  for (const record of records) head = chainStep(head, canonicalRecord(record).signed);
  return head.toString('hex');
}

export function batchHeaderOf(batch: Batch): BatchHeader {
  const { records: _records, mac: _mac, ...header } = batch;
  return header;
}

/** The batch MAC covers the header only; headHash binds every record into it. */
export function batchMac(header: BatchHeader, macKey: Buffer): string {
  return cmac(macKey, canonicalBytes(BATCH_MAC_DOMAIN, header)).toString('hex');
}

export function amountTotal(records: readonly TransactionRecord[]): string {
  let total = Amount.zero;
  for (const r of records) total = total.add(parseAmount(r.amount, { allowNegative: true }));
  return total.toString();
}

export interface BuildBatchInput {
  terminalId: string;
  batchSequence: number;
  macKeyId: string;
  macKey: Buffer;
  prevHash: string;
  records: readonly TransactionRecord[];
  skipped: readonly SkippedRange[];
  createdAt: string;
}

export function buildBatch(input: BuildBatchInput): Batch {
  const { records, skipped } = input;
  const starts = [...records.map((r) => r.sequence), ...skipped.map((s) => s.from)];
  const ends = [...records.map((r) => r.sequence), ...skipped.map((s) => s.to)];
  if (starts.length === 0) {
    throw new AppError('VALIDATION_FAILED', { message: 'A batch needs a record or a skip' });
  }
  const header: BatchHeader = {
    v: BATCH_VERSION,
    terminalId: input.terminalId,
    batchSequence: input.batchSequence,
    macKeyId: input.macKeyId,
    firstSequence: Math.min(...starts),
    lastSequence: Math.max(...ends),
    count: records.length,
    amountTotal: amountTotal(records),
    skipped: [...skipped],
    prevHash: input.prevHash,
    headHash: chainHead(input.prevHash, records),
    createdAt: input.createdAt,
  };
  return { ...header, records: [...records], mac: batchMac(header, input.macKey) };
}

function inconsistent(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('BATCH_INCONSISTENT', details ? { message, details } : { message });
}

/** Records and skipped ranges must cover firstSequence…lastSequence exactly once, in order. */
function checkCoverage(batch: Batch): void {
  const spans = [
    ...batch.records.map((r) => ({ from: r.sequence, to: r.sequence })),
    ...batch.skipped,
  ].sort((a, b) => a.from - b.from);
  let expected = batch.firstSequence;
  for (const span of spans) {
    if (span.from !== expected) {
      throw inconsistent('Records and skipped ranges do not tile the sequence range', {
        sequence: expected,
      });
    }
    expected = span.to + 1;
  }
  if (expected !== batch.lastSequence + 1 || spans.length === 0) {
    throw inconsistent('The sequence range does not match the records');
  }
  for (let i = 1; i < batch.records.length; i++) {
    if ((batch.records[i]?.sequence ?? 0) <= (batch.records[i - 1]?.sequence ?? 0)) {
      throw inconsistent('Records must be in increasing sequence order');
    }
  }
}

/** What verifying a batch computed that its receiver needs again. */
export interface VerifiedBatch {
  /** Each record's MAC input (recordMacInput), in order: canonical bytes made once per record. */
  readonly macInputs: readonly Buffer[];
}

/**
 * Everything the gateway checks before writing anything: the batch MAC, its control totals and
 * hash chain, and every record's terminal and MAC. Throws BATCH_MAC_INVALID, BATCH_INCONSISTENT
 * or RECORD_MAC_INVALID. The batch must already have passed batchSchema. Each record is put in
 * canonical form once, for the chain (with its MAC) and for its MAC (without).
 */
export function verifyBatch(batch: Batch, macKey: Buffer): VerifiedBatch {
  if (!timingSafeEqualHex(batchMac(batchHeaderOf(batch), macKey), batch.mac)) {
    throw new AppError('BATCH_MAC_INVALID');
  }
  if (batch.count !== batch.records.length) throw inconsistent('count does not match the records');
  checkCoverage(batch);
  if (amountTotal(batch.records) !== batch.amountTotal) {
    throw inconsistent('amountTotal does not match the records');
  }
  const forms = batch.records.map(canonicalRecord);
  let head: Buffer = Buffer.from(batch.prevHash, 'hex');
  for (const form of forms) head = chainStep(head, form.signed);
  if (head.toString('hex') !== batch.headHash) {
    throw inconsistent('headHash does not match the records');
  }
  const macInputs: Buffer[] = [];
  batch.records.forEach((record, i) => {
    if (record.terminalId !== batch.terminalId) {
      throw inconsistent('A record belongs to another terminal', { sequence: record.sequence });
    }
    const input = recordMacInputOf(forms[i]?.unsigned ?? '');
    if (!macMatches(input, record.mac, macKey)) {
      throw new AppError('RECORD_MAC_INVALID', { details: { sequence: record.sequence } });
    }
    macInputs.push(input);
  });
  return { macInputs };
}
