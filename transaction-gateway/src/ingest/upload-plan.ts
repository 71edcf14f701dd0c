import { AppError } from '@citycard/core/errors';
import {
  batchHeaderOf,
  type Batch,
  type Receipt,
  type RecordOutcome,
  type SkippedRange,
  type TransactionRecord,
} from '@citycard/terminal-sdk/protocol';
import type { OutboxPayload } from '../postprocess/index.js';
import type { Position } from './contiguity.js';
import type { IngestState, RecordRow, UploadWrite } from './ingest.repository.js';

/** What one upload (a batch, or a single record) brings. */
export interface Upload {
  batch?: Batch;
  records: readonly TransactionRecord[];
  /** Each record's MAC input, as verifying it made it: its record_hash is made from it. */
  macInputs: readonly Buffer[];
  skipped: readonly SkippedRange[];
  first: number;
  last: number;
}

export interface IngestResult {
  outcomes: RecordOutcome[];
  highestContiguousSequence: number;
  receivedAt: Date;
  /** Set for a batch: the receipt as stored (and answered). */
  receipt?: Receipt;
  replayed: boolean;
}

export type Prior = { mac: string; receipt: Receipt };

/** The identical batch again answers its first receipt; other content under its number is refused. */
export function replayOf(prior: Prior, batch: Batch): IngestResult {
  if (prior.mac !== batch.mac) {
    throw new AppError('BATCH_SEQUENCE_CONFLICT', {
      details: { batchSequence: batch.batchSequence },
    });
  }
  const receipt: Receipt = { ...prior.receipt, replayed: true };
  return {
    outcomes: receipt.outcomes,
    highestContiguousSequence: receipt.highestContiguousSequence,
    receivedAt: new Date(receipt.receivedAt),
    receipt,
    replayed: true,
  };
}

function count(outcomes: readonly RecordOutcome[], kind: RecordOutcome['outcome']): number {
  return outcomes.filter((o) => o.outcome === kind).length;
}

function receiptOf(batch: Batch, outcomes: RecordOutcome[], highest: number, at: Date): Receipt {
  return {
    v: 1,
    terminalId: batch.terminalId,
    batchSequence: batch.batchSequence,
    accepted: count(outcomes, 'accepted'),
    duplicate: count(outcomes, 'duplicate'),
    quarantined: count(outcomes, 'quarantined'),
    conflict: count(outcomes, 'conflict'),
    outcomes,
    highestContiguousSequence: highest,
    replayed: false,
    receivedAt: at.toISOString(),
  };
}

/** The outbox job for the records written: their sequences and cards (first-seen order). */
function outboxPayload(
  terminalId: string,
  batch: Batch | undefined,
  inserts: readonly RecordRow[],
) {
  const sequences = inserts.map((r) => r.record.sequence);
  const cardNumbers = [...new Set(inserts.map((r) => r.record.cardNumber))];
  const payload: OutboxPayload = {
    terminalId,
    ...(batch === undefined ? {} : { batchSeq: batch.batchSequence }),
    sequences,
    cardNumbers,
  };
  return payload;
}

export interface PlanInput {
  readonly terminalId: string;
  readonly upload: Upload;
  readonly rows: readonly RecordRow[];
  readonly state: IngestState;
  /** record_hash of the upload's sequences already stored. */
  readonly existing: ReadonlyMap<number, string>;
  readonly position: Position & { gap?: { from: number; to: number } | undefined };
  readonly outboxTopic: string;
  readonly receivedAt: Date;
}

/**
 * Each record's outcome and everything the upload writes, from what was read: a record under a
 * stored sequence is a duplicate when its hash is the stored one and a conflict otherwise;
 * every other record is written, accepted or quarantined. Valid as long as the terminal's
 * version is still `state.version` when the write runs.
 */
export function planUpload(p: PlanInput): { write: UploadWrite; result: IngestResult } {
  const { batch } = p.upload;
  const inserts: RecordRow[] = [];
  const conflicts: RecordRow[] = [];
  const outcomes = p.rows.map((row): RecordOutcome => {
    const sequence = row.record.sequence;
    const stored = p.existing.get(sequence);
    if (stored === row.hash) return { sequence, outcome: 'duplicate' };
    if (stored !== undefined) {
      conflicts.push(row);
      return { sequence, outcome: 'conflict' };
    }
    inserts.push(row);
    return row.reason === null
      ? { sequence, outcome: 'accepted' }
      : { sequence, outcome: 'quarantined', reason: row.reason };
  });
  const highest = p.position.highestContiguous;
  const receipt = batch && receiptOf(batch, outcomes, highest, p.receivedAt);
  const write: UploadWrite = {
    expectedVersion: p.state.version,
    highestContiguous: highest,
    highestSeen: p.position.highestSeen,
    inserts,
    conflicts,
    skipped: p.upload.skipped,
    gap: p.position.gap,
    outbox:
      inserts.length === 0
        ? undefined
        : { topic: p.outboxTopic, payload: outboxPayload(p.terminalId, batch, inserts) },
    batch:
      batch && receipt
        ? {
            mac: batch.mac,
            header: batchHeaderOf(batch),
            count: batch.count,
            amountTotal: batch.amountTotal,
            receipt,
          }
        : undefined,
  };
  const result: IngestResult = {
    outcomes,
    highestContiguousSequence: highest,
    receivedAt: p.receivedAt,
    ...(receipt === undefined ? {} : { receipt }),
    replayed: false,
  };
  return { write, result };
}
