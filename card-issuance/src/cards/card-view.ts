import type { Queryable } from '@citycard/core/db';
import { Amount, parseAmount } from '@citycard/core/money';
import { getCardholder } from '../cardholders/cardholder.repository.js';
import { owedTransfers, transfersOf } from './balance-transfer.js';
import { assertCardNumber } from './card-number.js';
import {
  cardNotFound,
  findCardByNumber,
  listStateChanges,
  requireCard,
  type CardRow,
} from './card.repository.js';
import {
  maskName,
  toCardResult,
  toHistoryEntry,
  toTransferResult,
  type CardDetail,
} from './card.schemas.js';
import { holdsDeposit } from './lifecycle.js';
import { getProduct } from './product.repository.js';
import { shadowBalance } from './shadow-balance.js';

/** The counter's view of a card. Reads run side by side: `db` should be the pool, not a client. */
export async function cardDetailOf(db: Queryable, card: CardRow): Promise<CardDetail> {
  const [product, holder, balance, transfers, owed, history] = await Promise.all([
    card.productCode === null ? null : getProduct(db, card.productCode),
    card.cardholderId === null ? null : getCardholder(db, card.cardholderId),
    shadowBalance(db, card.id),
    transfersOf(db, card.id),
    owedTransfers(db, card.id),
    listStateChanges(db, card.id),
  ]);
  return {
    ...toCardResult(card),
    product:
      product === null
        ? null
        : { code: product.code, name: product.name, concessionRef: product.concessionRef },
    cardholder:
      holder === null
        ? null
        : {
            id: holder.id,
            maskedName: maskName(holder.name),
            maskedIdNumber: holder.maskedIdNumber,
          },
    depositHeld: holdsDeposit(card.state),
    shadowBalance: balance.toString(),
    transfers: transfers.map(toTransferResult),
    transferCreditOwed: owed
      .reduce((sum, o) => sum.add(parseAmount(o.amount)), Amount.zero)
      .toString(),
    history: history.map(toHistoryEntry),
  };
}

export async function cardDetailById(db: Queryable, id: string): Promise<CardDetail> {
  return cardDetailOf(db, await requireCard(db, id));
}

/** A malformed number is refused with its precise code; the number never goes into an error. */
export async function cardDetailByNumber(db: Queryable, cardNumber: string): Promise<CardDetail> {
  assertCardNumber(cardNumber);
  const card = await findCardByNumber(db, cardNumber);
  if (card === undefined) throw cardNotFound({ by: 'cardNumber' });
  return cardDetailOf(db, card);
}
