import { randomUUID } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { Amount, parseAmount } from '@citycard/core/money';
import { createPlan, type PlanRow } from '../agent/plan-registry.js';
import type { ActionContext } from '../cards/card-context.js';
import { requireCard, type CardRow } from '../cards/card.repository.js';
import { getProduct } from '../cards/product.repository.js';
import { shadowBalance } from '../cards/shadow-balance.js';
import type { IssuanceDeps } from '../deps.js';
import { recordCashMovement, requireOpenDrawer } from '../drawers/drawer.js';
import { checkLoadLimits, getLoadLimits } from './load-limits.js';
import { terminalRefOf, type LoadSpec } from './load-plan.js';
import { confirmLoad, moveLoad, type Mover } from './load-settle.js';
import { insertAttempt } from './load-attempt.repository.js';
import {
  OPEN_LOAD_STATES,
  insertLoad,
  insertLoadEvent,
  loadedOnDay,
  loadsOfCard,
  requireLoad,
  type LoadRow,
} from './load.repository.js';
import { purseFromRead, type PurseRead } from './purse-read.js';
import { recordAudit } from '../audit/audit.js';

export interface LoadOrderInput {
  readonly amount: Amount;
  readonly agentId: string;
  readonly readPlanId: string;
}

export interface LoadOrder {
  readonly load: LoadRow;
  readonly plan: PlanRow;
}

const moverOf = (ctx: ActionContext): Mover => ({
  actor: ctx.staff,
  requestId: ctx.requestId,
  now: ctx.now,
});

export async function refuseIfOpen(tx: Queryable, cardId: string): Promise<void> {
  const open = await loadsOfCard(tx, cardId, OPEN_LOAD_STATES);
  const first = open[0];
  if (first !== undefined) {
    throw new AppError('LOAD_OPEN_ON_CARD', { details: { loadId: first.id, state: first.state } });
  }
}

/** `today` false: the load already counts against the day it was paid (a retry). */
async function checkLimits(
  tx: Queryable,
  card: CardRow,
  amount: Amount,
  read: PurseRead,
  at: { now: Date; today: boolean },
) {
  const product = await getProduct(tx, card.productCode ?? '');
  const loadedToday = at.today ? parseAmount(await loadedOnDay(tx, card.id, at.now)) : Amount.zero;
  checkLoadLimits(await getLoadLimits(tx), {
    amount,
    loadedToday,
    cardBalance: Amount.fromInt32Fen(read.purse.balanceFen),
    shadowBalance: await shadowBalance(tx, card.id),
    maxBalance: parseAmount(product.maxBalance),
  });
}

/**
 * Phase one of a load: limits checked against the purse an accepted read showed, the cash taken
 * into the clerk's open drawer, and a plan made for the agent at the clerk's counter. The shadow
 * balance moves only when the card is known to hold the money (phase two, on the report or on a
 * later read).
 */
export async function orderLoad(
  tx: Queryable,
  deps: IssuanceDeps,
  ctx: ActionContext,
  cardId: string,
  input: LoadOrderInput,
): Promise<LoadOrder> {
  if (!input.amount.isPositive()) {
    throw new AppError('AMOUNT_OUT_OF_RANGE', {
      message: 'A load is above zero',
      details: { field: 'amount' },
    });
  }
  const card = await requireCard(tx, cardId, { forUpdate: true });
  if (card.state !== 'active') {
    throw new AppError('LOAD_CARD_NOT_ACTIVE', { details: { cardId, state: card.state } });
  }
  await refuseIfOpen(tx, card.id);
  const read = await purseFromRead(tx, deps, card, input.readPlanId, ctx.now);
  await checkLimits(tx, card, input.amount, read, { now: ctx.now, today: true });
  const drawer = await requireOpenDrawer(tx, ctx.staff);
  const load = await insertLoad(tx, {
    id: randomUUID(),
    cardId: card.id,
    amount: input.amount.toString(),
    drawerId: drawer.id,
    staffId: ctx.staff.id,
    counterId: ctx.staff.counterId ?? drawer.counterId,
    requestId: ctx.requestId,
    now: ctx.now,
  });
  await recordCashMovement(tx, {
    drawerId: drawer.id,
    kind: 'top_up_cash',
    amount: input.amount,
    reference: { type: 'load', id: load.id },
    staff: ctx.staff,
    requestId: ctx.requestId,
  });
  const plan = await newAttempt(tx, ctx, card, load, input, read);
  await recordOrdered(tx, ctx, load, plan);
  return { load, plan };
}

export async function recordOrdered(
  tx: Queryable,
  ctx: ActionContext,
  load: LoadRow,
  plan: PlanRow,
) {
  await insertLoadEvent(tx, load.id, {
    fromState: null,
    toState: 'pending',
    cause: 'ordered',
    planId: plan.id,
    staffId: ctx.staff.id,
    note: null,
    requestId: ctx.requestId,
    at: ctx.now,
  });
  await recordAudit(tx, {
    actor: ctx.staff,
    action: 'load.ordered',
    targetType: 'load',
    targetId: load.id,
    requestId: ctx.requestId,
    after: {
      state: load.state,
      cardId: load.cardId,
      amount: load.amount,
      planId: plan.id,
      ...(load.transferId === null ? {} : { transferId: load.transferId }),
    },
  });
}

/** One plan for the load, built on the purse the read showed. */
export async function newAttempt(
  tx: Queryable,
  ctx: ActionContext,
  card: CardRow,
  load: LoadRow,
  input: Omit<LoadOrderInput, 'amount'>,
  read: PurseRead,
): Promise<PlanRow> {
  const amountFen = parseAmount(load.amount).toInt32Fen();
  const spec: LoadSpec = {
    loadId: load.id,
    counterBefore: read.purse.counter,
    balanceBeforeFen: read.purse.balanceFen,
    amountFen,
    expectRecord: read.record,
    historyAt: Math.floor(ctx.now.getTime() / 1000),
    terminalRef: terminalRefOf(ctx.staff.counterId ?? load.drawerId ?? load.id),
    repairValue: read.purse.source === 'backup',
  };
  const plan = await createPlan(tx, {
    cardId: card.id,
    uid: card.uid,
    agentId: input.agentId,
    purpose: 'load',
    spec: { ...spec },
    staff: ctx.staff,
    requestId: ctx.requestId,
    now: ctx.now,
  });
  await insertAttempt(tx, {
    planId: plan.id,
    loadId: load.id,
    readPlanId: input.readPlanId,
    agentId: input.agentId,
    counterBefore: spec.counterBefore,
    balanceBefore: Amount.fromInt32Fen(spec.balanceBeforeFen).toString(),
    balanceAfter: Amount.fromInt32Fen(spec.balanceBeforeFen + amountFen).toString(),
    expectRecord: spec.expectRecord,
    historyAt: spec.historyAt,
    terminalRef: spec.terminalRef,
    createdAt: plan.createdAt,
    expiresAt: plan.expiresAt,
  });
  return plan;
}

function requireState(load: LoadRow, allowed: LoadRow['state'], action: string): void {
  if (load.state !== allowed) {
    throw new AppError('LOAD_STATE_INVALID', {
      message: `A ${load.state} load cannot ${action}`,
      details: { loadId: load.id, state: load.state, requiredState: allowed },
    });
  }
}

/**
 * Tries a failed load again, from a fresh read of the card: the cash was taken once and stays
 * where it is. The maximum balance is checked again, the daily limit is not (the load already
 * counts against the day it was paid). A balance transfer is checked against neither: the shadow
 * balance holds it already, and the chip only catches up.
 */
export async function retryLoad(
  tx: Queryable,
  deps: IssuanceDeps,
  ctx: ActionContext,
  loadId: string,
  input: Omit<LoadOrderInput, 'amount'>,
): Promise<LoadOrder> {
  const first = await requireLoad(tx, loadId);
  const card = await requireCard(tx, first.cardId, { forUpdate: true });
  const load = await requireLoad(tx, loadId, { forUpdate: true });
  requireState(load, 'failed', 'be retried');
  if (card.state !== 'active') {
    throw new AppError('LOAD_CARD_NOT_ACTIVE', { details: { cardId: card.id, state: card.state } });
  }
  const read = await purseFromRead(tx, deps, card, input.readPlanId, ctx.now);
  if (load.transferId === null) {
    const amount = parseAmount(load.amount);
    await checkLimits(tx, card, amount, read, { now: ctx.now, today: false });
  }
  const plan = await newAttempt(tx, ctx, card, load, input, read);
  const next = await moveLoad(tx, load, 'pending', 'retry', moverOf(ctx), { planId: plan.id });
  return { load: next, plan };
}

/** Pays a failed load's cash back from the clerk's own open drawer. */
export async function refundLoad(
  tx: Queryable,
  ctx: ActionContext,
  loadId: string,
): Promise<LoadRow> {
  const load = await requireLoad(tx, loadId, { forUpdate: true });
  requireState(load, 'failed', 'be refunded');
  if (load.transferId !== null) {
    throw new AppError('LOAD_STATE_INVALID', {
      message: 'A balance transfer took no cash: retry it from a read of the card',
      details: { loadId: load.id, transferId: load.transferId },
    });
  }
  const drawer = await requireOpenDrawer(tx, ctx.staff);
  await recordCashMovement(tx, {
    drawerId: drawer.id,
    kind: 'balance_refunded',
    amount: parseAmount(load.amount).neg(),
    reference: { type: 'load', id: load.id },
    staff: ctx.staff,
    requestId: ctx.requestId,
    note: 'load not on the card, cash returned',
  });
  return moveLoad(tx, load, 'refunded', 'refund', moverOf(ctx));
}

export type ReviewDecision = 'applied' | 'not_applied';

/**
 * A supervisor settles a load the card could no longer tell about (from the terminal records
 * that arrived for the card, or the card's later balance chain). Applied: the shadow balance
 * takes it. Not applied: the load becomes failed, for a retry or a refund at the counter.
 */
export async function reviewLoad(
  tx: Queryable,
  ctx: ActionContext,
  loadId: string,
  input: { decision: ReviewDecision; reason: string },
): Promise<LoadRow> {
  const first = await requireLoad(tx, loadId);
  await requireCard(tx, first.cardId, { forUpdate: true });
  const load = await requireLoad(tx, loadId, { forUpdate: true });
  requireState(load, 'review', 'be reviewed');
  const mover = moverOf(ctx);
  if (input.decision === 'applied') {
    const next = await confirmLoad(tx, load, 'supervisor', mover, null, input.reason);
    if (next.state !== 'confirmed') {
      throw new AppError('LOAD_STATE_INVALID', {
        message: 'The shadow balance refused the load; correct the balance first',
        details: { loadId },
      });
    }
    return next;
  }
  // A load in review does not hold the card, so another may be open by now: that one first.
  await refuseIfOpen(tx, load.cardId);
  return moveLoad(tx, load, 'failed', 'supervisor', mover, { note: input.reason });
}
