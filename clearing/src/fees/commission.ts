import { Amount, Rate } from '@citycard/core/money';
import {
  ANY_TYPE,
  type CommissionResult,
  type FeeSchedule,
  type SubsidyRule,
  type TypeAggregate,
} from './fee.types.js';

const ZERO_RATE = Rate.parse('0');

export function rateFor(schedule: FeeSchedule, type: string): Rate {
  return schedule.rates[type] ?? schedule.rates[ANY_TYPE] ?? ZERO_RATE;
}

/**
 * Commission of one operator for one day, on the day's aggregates (never per transaction).
 * Named rounding points, all half-even to the fen:
 *  - commission.per_type: gross of a type × its rate, rounded once;
 *  - the fixed fee is exact (fen × count), and the daily minimum and maximum are exact bounds.
 * The minimum applies only on a day the operator had transactions.
 */
export function computeCommission(
  schedule: FeeSchedule | null,
  aggregates: readonly TypeAggregate[],
): CommissionResult {
  const byType = new Map<string, Amount>();
  let total = Amount.zero;
  for (const agg of aggregates) {
    const commission =
      schedule === null
        ? Amount.zero
        : agg.gross
            .times(rateFor(schedule, agg.type), 'half-even')
            .add(Amount.fromFen(schedule.fixedFee.toFen() * BigInt(agg.chargeableCount)));
    byType.set(agg.type, (byType.get(agg.type) ?? Amount.zero).add(commission));
    total = total.add(commission);
  }
  if (schedule === null) return { byType, total };
  const count = aggregates.reduce((n, a) => n + a.count, 0);
  if (count > 0 && schedule.dailyMin !== null && total.lt(schedule.dailyMin)) {
    total = schedule.dailyMin;
  }
  if (schedule.dailyMax !== null && total.gt(schedule.dailyMax)) total = schedule.dailyMax;
  return { byType, total };
}

/** The concession subsidy for discounts given: rate × Σ discounts, rounded half-even once. */
export function computeSubsidy(discount: Amount, rate: Rate): Amount {
  return discount.times(rate, 'half-even');
}

/** The schedule version in force on a day: effective on it, highest version first. */
export function inForce<
  T extends { effectiveFrom: string; effectiveTo: string | null; version: number },
>(candidates: readonly T[], day: string): T | undefined {
  return candidates
    .filter((c) => c.effectiveFrom <= day && (c.effectiveTo === null || day < c.effectiveTo))
    .reduce<T | undefined>(
      (best, c) => (best === undefined || c.version > best.version ? c : best),
      undefined,
    );
}

/**
 * The subsidy rule for an operator and rider category on a day: the operator's own rule in force
 * wins over the rule for every operator.
 */
export function subsidyRuleFor(
  rules: readonly SubsidyRule[],
  operatorId: string,
  riderCategoryId: string,
  day: string,
): SubsidyRule | undefined {
  const of = (op: string | null) =>
    inForce(
      rules.filter((r) => r.operatorId === op && r.riderCategoryId === riderCategoryId),
      day,
    );
  return of(operatorId) ?? of(null);
}
