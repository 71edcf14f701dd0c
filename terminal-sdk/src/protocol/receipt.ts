import { z } from 'zod';
import { idString, isoDateTime, reasonCode, sequenceNumber } from './primitives.js';
import { MAX_BATCH_RECORDS } from './batch.js';

/**
 * What became of one record. Every outcome means the gateway has stored it (a quarantined or
 * conflicting record is kept as evidence), so the terminal may drop it from its journal:
 * - accepted: stored and counted;
 * - duplicate: an identical record was already stored under (terminal, sequence);
 * - quarantined: stored, held for a finance user, `reason` says why (FARE_MISMATCH, HOTLISTED, …);
 * - conflict: a different record is stored under the same (terminal, sequence); this one is kept
 *   apart, never counted.
 */
export const RECORD_OUTCOMES = ['accepted', 'duplicate', 'quarantined', 'conflict'] as const;
export type RecordOutcomeKind = (typeof RECORD_OUTCOMES)[number];

export const recordOutcomeSchema = z.strictObject({
  sequence: sequenceNumber,
  outcome: z.enum(RECORD_OUTCOMES),
  reason: reasonCode.optional(),
});
export type RecordOutcome = z.infer<typeof recordOutcomeSchema>;

const count = z.int().min(0).max(MAX_BATCH_RECORDS);

export const receiptSchema = z.strictObject({
  v: z.literal(1),
  terminalId: idString,
  batchSequence: sequenceNumber,
  accepted: count,
  duplicate: count,
  quarantined: count,
  conflict: count,
  outcomes: z.array(recordOutcomeSchema).max(MAX_BATCH_RECORDS),
  /** Every sequence from 1 up to this one is stored (skipped ranges count as filled); 0: none. */
  highestContiguousSequence: z.int().min(0).max(0xffff_ffff),
  /** true when this batch had been received before and this receipt repeats the first answer. */
  replayed: z.boolean(),
  receivedAt: isoDateTime,
});
export type Receipt = z.infer<typeof receiptSchema>;

/** The answer of the single-record endpoint for online terminals. */
export const singleReceiptSchema = z.strictObject({
  v: z.literal(1),
  terminalId: idString,
  outcome: recordOutcomeSchema,
  highestContiguousSequence: z.int().min(0).max(0xffff_ffff),
  receivedAt: isoDateTime,
});
export type SingleReceipt = z.infer<typeof singleReceiptSchema>;

/** The answer of every refusal: the error catalogue's code and message. */
export const errorResponseSchema = z.object({
  code: z.string(),
  message: z.string(),
  requestId: z.string().optional(),
  retryable: z.boolean().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
