import { createHash } from 'node:crypto';
import { Amount, parseAmount } from '@citycard/core/money';
import type { RecordType, TransactionRecord } from '../protocol/index.js';
import type { RefusalReason, TapOutcome } from '../tap/index.js';
import type { TerminalKind } from './city.js';
import type { CardProfile } from './sim-cards.js';
import type { TerminalKeyMode } from './sim-gateway.js';

export interface TerminalSummary {
  readonly terminalId: string;
  readonly operatorId: string;
  readonly kind: TerminalKind;
  readonly offline: boolean;
  readonly wrongMacKey: boolean;
  readonly records: number;
  readonly batches: { readonly day: number; readonly late: number };
  readonly refusals: Readonly<Record<string, number>>;
  readonly journalLeftover: number;
}

export interface ReceiptCounts {
  accepted: number;
  duplicate: number;
  quarantined: number;
  conflict: number;
}

/** Everything here follows from the options: the same seed and keys give the same summary. */
export interface SimulationSummary {
  readonly seed: string;
  readonly day: string;
  readonly gateway: 'built-in' | 'remote';
  readonly terminalKeys: TerminalKeyMode;
  readonly cards: {
    readonly issued: number;
    readonly loaded: string;
    readonly byProfile: Readonly<Record<CardProfile, number>>;
    readonly byConcession: Readonly<Record<string, number>>;
  };
  readonly terminals: {
    readonly total: number;
    readonly offline: readonly string[];
    readonly wrongMacKey: string | null;
  };
  readonly events: { readonly total: number; readonly byKind: Readonly<Record<string, number>> };
  readonly outcomes: {
    readonly charged: number;
    readonly blocked: number;
    readonly pending: number;
    readonly cardRemoved: number;
    readonly refused: Readonly<Partial<Record<RefusalReason, number>>>;
    readonly errors: Readonly<Record<string, number>>;
  };
  readonly records: {
    readonly total: number;
    readonly byType: Readonly<Partial<Record<RecordType, number>>>;
    /** sha256 over terminal, sequence and MAC of every record: equal runs, equal digest. */
    readonly digest: string;
  };
  readonly uploads: {
    readonly batchesDuringDay: number;
    readonly batchesLate: number;
    readonly records: number;
    readonly refused: readonly {
      readonly terminalId: string;
      readonly refusals: Readonly<Record<string, number>>;
    }[];
  };
  readonly receipts: ReceiptCounts;
  /** Charged records per operator: count and gross (sum of amounts, two-place string). */
  readonly operators: Readonly<Record<string, { readonly count: number; readonly gross: string }>>;
  readonly journal: {
    readonly leftoverRecords: number;
    readonly byTerminal: Readonly<Record<string, number>>;
  };
  readonly lostCard: LostCardSummary | null;
  readonly clonedCard: ClonedCardSummary | null;
  readonly perTerminal: readonly TerminalSummary[];
}

export interface LostCardSummary {
  readonly card: number;
  readonly cardNumber: string;
  readonly reportedAt: string | null;
  readonly blockedAt: string | null;
  readonly blockedBy: string | null;
  readonly chargedAfterReport: number;
  readonly refusedAfterBlock: number;
}

export interface ClonedCardSummary {
  readonly card: number;
  readonly cardNumber: string;
  readonly clonedAt: string | null;
  readonly originalTaps: number;
  readonly cloneTaps: number;
}

const bump = <K extends string>(m: Partial<Record<K, number>>, k: K, n = 1): void => {
  m[k] = (m[k] ?? 0) + n;
};

/** Sorted keys, so that the summary serialises the same whatever order taps finished in. */
export function sortedRecord<V>(m: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Counts what the taps of the day gave, in whatever order they finish. */
export class OutcomeTally {
  charged = 0;
  blocked = 0;
  pending = 0;
  cardRemoved = 0;
  readonly refused: Partial<Record<RefusalReason, number>> = {};
  readonly errors: Record<string, number> = {};
  readonly byType: Partial<Record<RecordType, number>> = {};
  readonly #operators = new Map<string, { count: number; gross: Amount }>();
  readonly #macs: string[] = [];

  add(outcome: TapOutcome): TransactionRecord | undefined {
    switch (outcome.status) {
      case 'charged':
        this.charged += 1;
        this.#record(outcome.record, true);
        return outcome.record;
      case 'blocked':
        this.blocked += 1;
        this.#record(outcome.record, false);
        return outcome.record;
      case 'refused':
        bump(this.refused, outcome.reason);
        return undefined;
      case 'card_removed':
        this.cardRemoved += 1;
        return undefined;
      case 'record_pending':
        this.pending += 1;
        return undefined;
    }
  }

  error(code: string): void {
    bump(this.errors, code);
  }

  #record(r: TransactionRecord, charged: boolean): void {
    bump(this.byType, r.type);
    this.#macs.push(`${r.terminalId}\u0000${String(r.sequence).padStart(10, '0')}\u0000${r.mac}`);
    if (!charged) return;
    const op = this.#operators.get(r.operatorId) ?? { count: 0, gross: Amount.zero };
    const amount = parseAmount(r.amount, { allowNegative: true });
    this.#operators.set(r.operatorId, { count: op.count + 1, gross: op.gross.add(amount) });
  }

  get records(): number {
    return this.#macs.length;
  }

  digest(): string {
    const h = createHash('sha256');
    for (const line of [...this.#macs].sort()) h.update(`${line}\n`);
    return h.digest('hex');
  }

  operators(): Record<string, { count: number; gross: string }> {
    const out: Record<string, { count: number; gross: string }> = {};
    for (const [id, v] of this.#operators) out[id] = { count: v.count, gross: v.gross.toString() };
    return sortedRecord(out);
  }
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) bump(out, key(item));
  return sortedRecord(out);
}
