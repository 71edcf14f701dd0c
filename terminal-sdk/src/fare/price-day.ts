import { sumAmounts, type Amount } from '@citycard/core/money';
import type { CardFareProfile } from './concession.js';
import type { FareSet } from './fare-set.schema.js';
import { priceTap, type FareDetails, type TapInput, type TransitRecordType } from './price-tap.js';
import { EMPTY_RIDER_STATE, type RiderState } from './rider-state.js';

export interface DayCharge {
  tap: TapInput;
  type: TransitRecordType;
  amount: Amount;
  fare: FareDetails;
}

export interface PricedDay {
  /** In the order the taps happened. */
  charges: DayCharge[];
  total: Amount;
  finalState: RiderState;
}

const MODE_ORDER = { entry: 0, flat: 1, exit: 2 } as const;

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A total order on taps, so equal times still sort the same whatever order they arrived in. */
export function compareTaps(a: TapInput, b: TapInput): number {
  return (
    cmp(a.at.getTime(), b.at.getTime()) ||
    cmp(MODE_ORDER[a.mode], MODE_ORDER[b.mode]) ||
    cmp(a.operatorId, b.operatorId) ||
    cmp(a.routeId, b.routeId) ||
    cmp(a.stopId ?? '', b.stopId ?? '') ||
    cmp(a.direction ?? -1, b.direction ?? -1)
  );
}

/**
 * The charges of one card's taps, priced in time order from `initialState` (by default a card
 * with no transit history). A pure function of the set of taps: the order they are given in
 * (upload order, batch order) does not matter. This is what the gateway re-runs to check a day.
 */
export function priceDay(
  set: FareSet,
  card: CardFareProfile,
  taps: readonly TapInput[],
  opts: { initialState?: RiderState } = {},
): PricedDay {
  let state = opts.initialState ?? EMPTY_RIDER_STATE;
  const charges: DayCharge[] = [];
  for (const tap of [...taps].sort(compareTaps)) {
    const priced = priceTap(set, { card, tap, state });
    charges.push({ tap, type: priced.type, amount: priced.amount, fare: priced.fare });
    state = priced.nextState;
  }
  return { charges, total: sumAmounts(charges.map((c) => c.amount)), finalState: state };
}
