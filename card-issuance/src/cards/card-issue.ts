import type { Queryable } from '@citycard/core/db';
import { Amount, parseAmount } from '@citycard/core/money';
import { getCardholder } from '../cardholders/cardholder.repository.js';
import { recordCashMovement, requireOpenDrawer } from '../drawers/drawer.js';
import { applyCommand } from './card-command.js';
import type { ActionContext } from './card-context.js';
import { composeCardNumber } from './card-number.js';
import { lockCardByUid, nextSerial, writeIssue, type CardRow } from './card.repository.js';
import { settle, transition } from './lifecycle.js';
import { getIssuableProduct, type ProductRow } from './product.repository.js';

export interface IssueInput {
  readonly uid: string;
  readonly cardholderId: string;
  readonly productCode: string;
}

/** Takes the product's deposit in cash and binds a stock card to its holder, with a fresh number. */
export async function issueCard(
  tx: Queryable,
  ctx: ActionContext,
  cityCode: string,
  input: IssueInput,
): Promise<CardRow> {
  const drawer = await requireOpenDrawer(tx, ctx.staff);
  await getCardholder(tx, input.cardholderId);
  const product = await getIssuableProduct(tx, input.productCode);
  const card = await lockCardByUid(tx, input.uid);
  transition(card.state, 'issue');
  const deposit = parseAmount(product.deposit);
  for (const move of settle('issue', { deposit, balance: Amount.zero }).cash) {
    await recordCashMovement(tx, {
      drawerId: drawer.id,
      kind: move.kind,
      amount: move.amount,
      reference: { type: 'card', id: card.id },
      staff: ctx.staff,
      requestId: ctx.requestId,
    });
  }
  return bindToHolder(tx, ctx, cityCode, card, {
    product,
    cardholderId: input.cardholderId,
    deposit: product.deposit,
    replaces: null,
  });
}

export interface Binding {
  readonly product: ProductRow;
  readonly cardholderId: string;
  /** Taken in cash, or carried over from the card this one replaces. */
  readonly deposit: string;
  readonly replaces: string | null;
}

/** The issue command proper, shared by a first issue and a replacement. */
export async function bindToHolder(
  tx: Queryable,
  ctx: ActionContext,
  cityCode: string,
  card: CardRow,
  binding: Binding,
): Promise<CardRow> {
  const cardNumber = composeCardNumber({
    cityCode,
    productDigits: binding.product.productDigits,
    serial: await nextSerial(tx),
  });
  return applyCommand(tx, card, 'issue', ctx, {
    write: () =>
      writeIssue(
        tx,
        card.id,
        {
          cardNumber,
          productCode: binding.product.code,
          cardholderId: binding.cardholderId,
          deposit: binding.deposit,
          validityYears: binding.product.validityYears,
          replaces: binding.replaces,
        },
        ctx.now,
      ),
    audit: {
      productCode: binding.product.code,
      deposit: binding.deposit,
      ...(binding.replaces === null ? {} : { replaces: binding.replaces }),
    },
  });
}
