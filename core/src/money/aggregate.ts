import { Amount } from './amount.js';
import type { Rounding } from './decimal.js';
import type { Rate } from './rate.js';

/** Summed in bigint, so only the total has to fit numeric(18,2), not every running subtotal. */
export function sumAmounts(list: Iterable<Amount>): Amount {
  let fen = 0n;
  for (const a of list) fen += a.toFen();
  return Amount.fromFen(fen);
}

export function minAmount(first: Amount, ...rest: readonly Amount[]): Amount {
  return rest.reduce((m, a) => (a.lt(m) ? a : m), first);
}

export function maxAmount(first: Amount, ...rest: readonly Amount[]): Amount {
  return rest.reduce((m, a) => (a.gt(m) ? a : m), first);
}

export function applyRate(
  amount: Amount,
  rate: string | Rate,
  rounding: Rounding = 'half-even',
): Amount {
  return amount.times(rate, rounding);
}
