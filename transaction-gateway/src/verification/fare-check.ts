import { parseAmount } from '@citycard/core/money';
import {
  applyConcession,
  fareIndex,
  riderCategoryFor,
  serviceDate,
  serviceDayOf,
  unixSeconds,
  type FareSet,
} from '@citycard/terminal-sdk/fare';
import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';

const TRANSIT_TYPES = new Set([
  'transit_flat',
  'transit_entry',
  'transit_exit',
  'transit_correction',
]);

export const isTransit = (record: TransactionRecord): boolean => TRANSIT_TYPES.has(record.type);

/**
 * Re-runs what the fare engine decides from the record alone: the product's price in the stated
 * fare-set version, the card's concession, amount = base − discount, and no more than the
 * concession price unless a transfer or the daily cap lowered it. Transfers and caps across the
 * day need the card's other taps: post-processing re-prices the day.
 */
export function fareMatches(
  record: TransactionRecord,
  fareSet: FareSet | undefined,
  concession: string,
): boolean {
  const fare = record.fare;
  if (fare === undefined || fareSet === undefined) return false;
  try {
    const ix = fareIndex(fareSet);
    const base = ix.products.get(fare.fareProductId);
    if (base === undefined || !base.eq(parseAmount(fare.baseAmount))) return false;
    const day = serviceDayOf(fareSet, unixSeconds(new Date(record.occurredAt)));
    const category = riderCategoryFor(ix, { concession, concessionUntil: null }, serviceDate(day));
    if (category.riderCategoryId !== fare.riderCategoryId) return false;
    const paid = base.sub(parseAmount(fare.discount));
    const full = applyConcession(category.concession, base);
    if (paid.isNegative() || paid.gt(full)) return false;
    const amount = parseAmount(record.amount, { allowNegative: true });
    if (record.type === 'transit_correction') return !amount.isPositive();
    if (!amount.eq(paid)) return false;
    return fare.transfer || fare.capApplied || paid.eq(full);
  } catch {
    // A record the engine cannot even place (unknown product, time out of range) does not match.
    return false;
  }
}
