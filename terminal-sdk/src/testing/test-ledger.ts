import { AppError } from '@citycard/core/errors';
import {
  canonicalJson,
  verifyBatch,
  type Batch,
  type Receipt,
  verifyRecordMac,
  type RecordOutcome,
  type SingleReceipt,
  type TransactionRecord,
} from '../protocol/index.js';

export interface TestTerminal {
  readonly terminalId: string;
  readonly operatorId: string;
  readonly macKeyId: string;
  readonly macKey: Buffer;
}

export interface StoredRecord {
  readonly record: TransactionRecord;
  readonly outcome: 'accepted' | 'quarantined';
  readonly reason?: string;
}

/** Sequences stored (or declared skipped) per terminal, for the highest contiguous mark. */
class Filled {
  contiguous = 0;
  readonly #above = new Set<number>();

  fill(from: number, to: number): void {
    for (let s = from; s <= to; s++) if (s > this.contiguous) this.#above.add(s);
    while (this.#above.delete(this.contiguous + 1)) this.contiguous++;
  }
}

/**
 * The test gateway's storage and ingest rules, in memory: idempotent by (terminal, sequence), an
 * identical batch answered with its first receipt, every record kept (accepted, quarantined or,
 * for a different record under a used sequence, kept apart as a conflict).
 */
export class TestLedger {
  readonly terminals = new Map<string, TestTerminal>();
  readonly records = new Map<string, StoredRecord>();
  readonly conflicts: TransactionRecord[] = [];
  readonly #batches = new Map<string, { mac: string; receipt: Receipt }>();
  readonly #filled = new Map<string, Filled>();
  quarantine: (record: TransactionRecord) => string | undefined = () => undefined;

  recordsOf(terminalId: string): StoredRecord[] {
    return [...this.records.values()]
      .filter((r) => r.record.terminalId === terminalId)
      .sort((a, b) => a.record.sequence - b.record.sequence);
  }

  get batchCount(): number {
    return this.#batches.size;
  }

  ingest(batch: Batch, now: Date): Receipt {
    const terminal = this.terminals.get(batch.terminalId);
    if (!terminal) throw new AppError('UNAUTHENTICATED', { message: 'Unknown terminal' });
    if (batch.macKeyId !== terminal.macKeyId) throw new AppError('BATCH_MAC_INVALID');
    verifyBatch(batch, terminal.macKey);
    const batchKey = `${batch.terminalId}:${batch.batchSequence}`;
    const earlier = this.#batches.get(batchKey);
    if (earlier) {
      if (earlier.mac !== batch.mac) throw new AppError('BATCH_SEQUENCE_CONFLICT');
      return { ...earlier.receipt, replayed: true };
    }
    const filled = this.#filledFor(batch.terminalId);
    const outcomes = batch.records.map((record) => this.#store(record, filled));
    for (const s of batch.skipped) filled.fill(s.from, s.to);
    const count = (kind: RecordOutcome['outcome']) =>
      outcomes.filter((o) => o.outcome === kind).length;
    const receipt: Receipt = {
      v: 1,
      terminalId: batch.terminalId,
      batchSequence: batch.batchSequence,
      accepted: count('accepted'),
      duplicate: count('duplicate'),
      quarantined: count('quarantined'),
      conflict: count('conflict'),
      outcomes,
      highestContiguousSequence: filled.contiguous,
      replayed: false,
      receivedAt: now.toISOString(),
    };
    this.#batches.set(batchKey, { mac: batch.mac, receipt });
    return receipt;
  }

  /** The single-record endpoint of online terminals: the same rules as a batch of one. */
  ingestOne(record: TransactionRecord, now: Date): SingleReceipt {
    const terminal = this.terminals.get(record.terminalId);
    if (!terminal) throw new AppError('UNAUTHENTICATED', { message: 'Unknown terminal' });
    if (!verifyRecordMac(record, terminal.macKey)) {
      throw new AppError('RECORD_MAC_INVALID', { details: { sequence: record.sequence } });
    }
    const filled = this.#filledFor(record.terminalId);
    const outcome = this.#store(record, filled);
    return {
      v: 1,
      terminalId: record.terminalId,
      outcome,
      highestContiguousSequence: filled.contiguous,
      receivedAt: now.toISOString(),
    };
  }

  #filledFor(terminalId: string): Filled {
    let filled = this.#filled.get(terminalId);
    if (!filled) this.#filled.set(terminalId, (filled = new Filled()));
    return filled;
  }

  #store(record: TransactionRecord, filled: Filled): RecordOutcome {
    const key = `${record.terminalId}:${record.sequence}`;
    const held = this.records.get(key);
    const { sequence } = record;
    if (held) {
      if (canonicalJson(held.record) === canonicalJson(record))
        return { sequence, outcome: 'duplicate' };
      this.conflicts.push(record);
      return { sequence, outcome: 'conflict', reason: 'SEQUENCE_REUSED' };
    }
    const reason = this.quarantine(record);
    this.records.set(
      key,
      reason ? { record, outcome: 'quarantined', reason } : { record, outcome: 'accepted' },
    );
    filled.fill(sequence, sequence);
    return reason
      ? { sequence, outcome: 'quarantined', reason }
      : { sequence, outcome: 'accepted' };
  }
}
