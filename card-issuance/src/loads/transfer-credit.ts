import { randomUUID } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { owedTransfers } from '../cards/balance-transfer.js';
import type { ActionContext } from '../cards/card-context.js';
import { requireCard } from '../cards/card.repository.js';
import type { IssuanceDeps } from '../deps.js';
import { newAttempt, recordOrdered, refuseIfOpen, type LoadOrder } from './load.service.js';
import { insertLoad } from './load.repository.js';
import { purseFromRead } from './purse-read.js';

export interface TransferCreditInput {
  readonly agentId: string;
  readonly readPlanId: string;
}

/**
 * Writes the oldest released transfer the chip lacks onto the card on the reader, as a load that
 * took no cash: the plan, its attempts and their settling are a top-up's, so a report repeated or
 * lost mid-write settles the same way. The shadow balance took the money at the release, so
 * neither here nor on confirmation does it move; no limit applies (the money is the holder's).
 */
export async function orderTransferCredit(
  tx: Queryable,
  deps: IssuanceDeps,
  ctx: ActionContext,
  cardId: string,
  input: TransferCreditInput,
): Promise<LoadOrder> {
  const card = await requireCard(tx, cardId, { forUpdate: true });
  if (card.state !== 'active') {
    throw new AppError('LOAD_CARD_NOT_ACTIVE', { details: { cardId, state: card.state } });
  }
  await refuseIfOpen(tx, card.id);
  const owed = (await owedTransfers(tx, card.id))[0];
  if (owed === undefined)
    throw new AppError('BALANCE_TRANSFER_NOT_PENDING', { details: { cardId } });
  const read = await purseFromRead(tx, deps, card, input.readPlanId, ctx.now);
  const load = await insertLoad(tx, {
    id: randomUUID(),
    cardId: card.id,
    amount: owed.amount,
    drawerId: null,
    transferId: owed.transferId,
    staffId: ctx.staff.id,
    counterId: ctx.staff.counterId,
    requestId: ctx.requestId,
    now: ctx.now,
  });
  const plan = await newAttempt(tx, ctx, card, load, input, read);
  await recordOrdered(tx, ctx, load, plan);
  return { load, plan };
}
