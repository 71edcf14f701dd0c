import type { CardImage } from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import { maskCardNumber } from '@citycard/core/logging';
import { Amount } from '@citycard/core/money';
import type { CardRow } from '../cards/card.repository.js';
import { shadowBalance } from '../cards/shadow-balance.js';
import type { CardSnapshot } from './agent.schemas.js';

/** The purse as the card holds it, when it decodes and its MAC vouches for it. */
export function purseOf(image: CardImage): { balanceFen: number; counter: number } | undefined {
  const purse = image.purse;
  if (purse === undefined || 'error' in purse) return undefined;
  return { balanceFen: purse.balanceFen, counter: purse.counter };
}

/** A card as read, beside the back office's own view of it. */
export async function cardSnapshot(
  tx: Queryable,
  card: CardRow,
  image: CardImage,
  uncertainLoadsResolved: number,
): Promise<CardSnapshot> {
  const shadow = await shadowBalance(tx, card.id);
  const purse = purseOf(image);
  const balance = purse === undefined ? undefined : Amount.fromInt32Fen(purse.balanceFen);
  return {
    cardId: card.id,
    cardNumberMasked: card.cardNumber === null ? null : maskCardNumber(card.cardNumber),
    uid: card.uid,
    state: card.state,
    product: card.productCode,
    balance: balance?.toString() ?? null,
    shadowBalance: shadow.toString(),
    purseCounter: purse?.counter ?? null,
    uncertainLoadsResolved,
    mismatch: balance === undefined || !balance.eq(shadow),
  };
}
