import type { Amount, Rate } from '@citycard/core/money';

/** A rate for every transaction type that has none of its own. */
export const ANY_TYPE = '*';

export interface FeeSchedule {
  readonly id: string;
  readonly operatorId: string;
  readonly version: number;
  /** YYYY-MM-DD, inclusive. */
  readonly effectiveFrom: string;
  /** YYYY-MM-DD, exclusive; null: open-ended. */
  readonly effectiveTo: string | null;
  /** Charged per transaction with a positive amount. */
  readonly fixedFee: Amount;
  readonly dailyMin: Amount | null;
  readonly dailyMax: Amount | null;
  /** Commission rate per transaction type (ANY_TYPE for the rest). */
  readonly rates: Readonly<Record<string, Rate>>;
}

export interface SubsidyRule {
  readonly id: string;
  /** null: every operator. */
  readonly operatorId: string | null;
  readonly riderCategoryId: string;
  readonly version: number;
  readonly rate: Rate;
  readonly effectiveFrom: string;
  readonly effectiveTo: string | null;
}

/** One operator's transactions of one type, as aggregated in SQL. */
export interface TypeAggregate {
  readonly operatorId: string;
  readonly type: string;
  readonly count: number;
  /** Transactions with a positive amount: the ones a fixed fee is charged on. */
  readonly chargeableCount: number;
  readonly gross: Amount;
  readonly lateCount: number;
  readonly lateGross: Amount;
}

export interface CommissionResult {
  /** Per type, before the daily minimum and maximum. */
  readonly byType: ReadonlyMap<string, Amount>;
  /** Σ byType, then held within the daily minimum and maximum. */
  readonly total: Amount;
}
