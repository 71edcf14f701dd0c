import { Amount } from '@citycard/core/money';
import type { FareIndex } from './fare-index.js';
import type { Concession, RiderCategory } from './fare-set.schema.js';

/** What the issuer wrote on the card: its concession product and when that concession ends. */
export interface CardFareProfile {
  concession: string;
  /** YYYY-MM-DD, inclusive; null when the concession does not end. */
  concessionUntil: string | null;
}

/** The card's rider category on a service date; an ended or unknown concession rides as default. */
export function riderCategoryFor(
  ix: FareIndex,
  card: CardFareProfile,
  date: string,
): RiderCategory {
  if (card.concessionUntil !== null && date > card.concessionUntil) return ix.defaultCategory;
  return ix.categories.find((c) => c.cardProducts.includes(card.concession)) ?? ix.defaultCategory;
}

/** "12.5" → 1250 basis points. */
function basisPoints(percent: string): bigint {
  const [whole = '0', frac = ''] = percent.split('.');
  return BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
}

/** n / d (d > 0) rounded half-even, in integers (the hot path avoids decimal arithmetic). */
function divHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  const twice = 2n * (r < 0n ? -r : r);
  if (twice < d || (twice === d && q % 2n === 0n)) return q;
  return q + (n < 0n ? -1n : 1n);
}

/** The price a rider of this concession pays for an amount, rounded half-even to the fen. */
export function applyConcession(concession: Concession, amount: Amount): Amount {
  switch (concession.type) {
    case 'none':
      return amount;
    case 'free':
      return Amount.zero;
    case 'percent':
      return Amount.fromFen(
        divHalfEven(amount.toFen() * (10_000n - basisPoints(concession.percentOff)), 10_000n),
      );
  }
}
