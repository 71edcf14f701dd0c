import { parseAmount } from '@citycard/core/money';
import {
  EMPTY_RIDER_STATE,
  SAMPLE_CITY_FARE_SET,
  priceTap,
  type FareSet,
} from '@citycard/terminal-sdk/fare';
import {
  GENESIS_HASH,
  buildBatch,
  signRecord,
  type Batch,
  type SkippedRange,
  type TransactionRecord,
  type UnsignedRecord,
} from '@citycard/terminal-sdk/protocol';
import type { TestCard } from './contract-double.js';

export interface TerminalCredentials {
  readonly id: string;
  readonly operatorId: string;
  readonly macKeyId: string;
  readonly macKey: Buffer;
}

const CONCESSIONS: Record<string, string> = {
  standard: 'FULL',
  student: 'STUDENT',
  senior: 'SENIOR',
};

// Purse counters unique in the process: a card never shows the same counter twice by accident.
let counters = 1000;
export const nextPurseCounter = (): number => ++counters;

/**
 * A terminal that writes correct records and batches the way the terminal SDK does: strictly
 * increasing sequences, records MACed, batches chained and MACed. Tests bend one thing at a time.
 */
export class TestTerminal {
  sequence = 0;
  batchSequence = 0;
  prevHash = GENESIS_HASH;

  constructor(
    readonly credentials: TerminalCredentials,
    private readonly clock: () => Date,
    private readonly fareSet: FareSet = SAMPLE_CITY_FARE_SET,
  ) {}

  /** A J1 bus ride priced by the fare engine a minute ago, unless `over` says otherwise. */
  unsignedRecord(card: TestCard, over: Partial<UnsignedRecord> = {}): UnsignedRecord {
    const at = new Date(this.clock().getTime() - 60_000);
    const priced = priceTap(this.fareSet, {
      card: { concession: CONCESSIONS[card.productCode] ?? 'FULL', concessionUntil: null },
      tap: { at, operatorId: 'jiangbei-bus', routeId: 'J1', mode: 'flat' },
      state: EMPTY_RIDER_STATE,
    });
    const before = parseAmount('50.00');
    const record: UnsignedRecord = {
      v: 1,
      terminalId: this.credentials.id,
      sequence: ++this.sequence,
      type: priced.type,
      cardNumber: card.cardNumber,
      uid: card.uid,
      purseCounter: nextPurseCounter(),
      amount: priced.amount.toString(),
      balanceBefore: before.toString(),
      balanceAfter: before.sub(priced.amount).toString(),
      occurredAt: at.toISOString(),
      operatorId: this.credentials.operatorId,
      location: { routeId: 'J1', vehicleId: 'bus-7' },
      fare: priced.fare,
      ...over,
    };
    return record;
  }

  record(card: TestCard, over: Partial<UnsignedRecord> = {}): TransactionRecord {
    return signRecord(this.unsignedRecord(card, over), this.credentials.macKey);
  }

  records(card: TestCard, n: number): TransactionRecord[] {
    return Array.from({ length: n }, () => this.record(card));
  }

  /** The next batch of these records; it moves the batch number and the chain on. */
  batch(
    records: readonly TransactionRecord[],
    opts: { skipped?: readonly SkippedRange[]; createdAt?: Date } = {},
  ): Batch {
    const batch = buildBatch({
      terminalId: this.credentials.id,
      batchSequence: ++this.batchSequence,
      macKeyId: this.credentials.macKeyId,
      macKey: this.credentials.macKey,
      prevHash: this.prevHash,
      records,
      skipped: opts.skipped ?? [],
      createdAt: (opts.createdAt ?? this.clock()).toISOString(),
    });
    this.prevHash = batch.headHash;
    return batch;
  }
}
