import type { Amount } from '@citycard/core/money';
import type { FeeSchedule, SubsidyRule, TypeAggregate } from '../fees/fee.types.js';

/** Concession discounts one operator gave riders of one category, aggregated in SQL. */
export interface DiscountAggregate {
  readonly operatorId: string;
  readonly riderCategoryId: string;
  readonly count: number;
  readonly discount: Amount;
}

export interface AdjustmentAggregate {
  readonly operatorId: string;
  readonly count: number;
  readonly amount: Amount;
}

/**
 * Counter cash by what it was for; each has its counterpart account:
 * top_up_cash and load_refund → loads_pending, card_refund → card_float,
 * deposit_taken and deposit_refunded → deposit_liability, other (floats, corrections) → suspense.
 */
export const CASH_CATEGORIES = [
  'top_up_cash',
  'load_refund',
  'card_refund',
  'deposit_taken',
  'deposit_refunded',
  'other',
] as const;
export type CashCategory = (typeof CASH_CATEGORIES)[number];

/** Cash movements of one branch and category, signed as the drawer sees them (+ in, − out). */
export interface CashAggregate {
  readonly branchId: string;
  readonly category: CashCategory;
  readonly count: number;
  readonly amount: Amount;
}

export interface LoadAggregate {
  readonly count: number;
  readonly amount: Amount;
}

export interface ClearingInputs {
  readonly day: string;
  readonly typeAggregates: readonly TypeAggregate[];
  readonly discounts: readonly DiscountAggregate[];
  readonly adjustments: readonly AdjustmentAggregate[];
  readonly cash: readonly CashAggregate[];
  readonly loads: LoadAggregate;
  readonly schedules: ReadonlyMap<string, FeeSchedule>;
  readonly subsidyRules: readonly SubsidyRule[];
}
