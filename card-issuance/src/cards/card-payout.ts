import type { Queryable } from '@citycard/core/db';
import { parseAmount, type Amount } from '@citycard/core/money';
import { recordCashMovement, requireOpenDrawer } from '../drawers/drawer.js';
import { refuseIfTransferPending } from './balance-transfer.js';
import { applyCommand } from './card-command.js';
import type { ActionContext } from './card-context.js';
import { requireCard, type CardRow } from './card.repository.js';
import { settle, transition } from './lifecycle.js';
import { postShadowEntry, shadowBalance } from './shadow-balance.js';

export interface Payout {
  readonly card: CardRow;
  readonly deposit: Amount;
  readonly balance: Amount;
  readonly total: Amount;
}

/** Refund: the deposit and the shadow balance go back in cash, and the card onto the hotlist. */
export function refundCard(tx: Queryable, ctx: ActionContext, cardId: string): Promise<Payout> {
  return payOut(tx, ctx, cardId, 'refund', null);
}

/**
 * Cancel: a blank or not yet activated card leaves circulation. A personalised card's deposit is
 * paid back; a drawer is needed only when there is cash to pay.
 */
export function cancelCard(
  tx: Queryable,
  ctx: ActionContext,
  cardId: string,
  reason: string | null,
): Promise<Payout> {
  return payOut(tx, ctx, cardId, 'cancel', reason);
}

async function payOut(
  tx: Queryable,
  ctx: ActionContext,
  cardId: string,
  command: 'refund' | 'cancel',
  reason: string | null,
): Promise<Payout> {
  const card = await requireCard(tx, cardId, { forUpdate: true });
  transition(card.state, command);
  await refuseIfTransferPending(tx, card.id);
  const deposit = parseAmount(card.deposit);
  const balance = await shadowBalance(tx, card.id);
  const settlement = settle(command, { deposit, balance });
  if (command === 'refund' || settlement.cash.length > 0) {
    const drawer = await requireOpenDrawer(tx, ctx.staff);
    for (const move of settlement.cash) {
      await recordCashMovement(tx, {
        drawerId: drawer.id,
        kind: move.kind,
        amount: move.amount,
        reference: { type: 'card', id: card.id },
        staff: ctx.staff,
        requestId: ctx.requestId,
      });
    }
  }
  if (settlement.balanceRefunded.isPositive()) {
    await postShadowEntry(tx, {
      cardId: card.id,
      kind: 'refund',
      amount: settlement.balanceRefunded,
      reference: `${command}:${ctx.requestId}`,
      at: ctx.now,
    });
  }
  const done = await applyCommand(tx, card, command, ctx, {
    reason,
    audit: { deposit: deposit.toString(), balance: balance.toString() },
  });
  return { card: done, deposit, balance, total: deposit.add(balance) };
}
