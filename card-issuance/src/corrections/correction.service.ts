import { randomUUID } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { Amount, parseAmount } from '@citycard/core/money';
import { recordAudit } from '../audit/audit.js';
import type { ActionContext } from '../cards/card-context.js';
import { requireCard } from '../cards/card.repository.js';
import { shadowBalance } from '../cards/shadow-balance.js';
import type { IssuanceDeps } from '../deps.js';
import { loadsOfCard } from '../loads/load.repository.js';
import { purseFromRead } from '../loads/purse-read.js';
import {
  decideCorrection,
  insertCorrection,
  insertCorrectionEntry,
  openCorrectionOf,
  requireCorrection,
  type CorrectionRow,
} from './correction.repository.js';

/** A load not yet settled would be counted twice by a correction made around it. */
async function refuseWhileLoadsOpen(tx: Queryable, cardId: string): Promise<void> {
  const open = await loadsOfCard(tx, cardId, ['pending', 'uncertain', 'failed', 'review']);
  const first = open[0];
  if (first !== undefined) {
    throw new AppError('LOAD_OPEN_ON_CARD', { details: { loadId: first.id, state: first.state } });
  }
}

/**
 * A supervisor asks to bring the shadow balance to what the card was just read to hold. Nothing
 * moves yet: a second supervisor approves it (maker-checker). Offline debits the gateway has not
 * received yet also make a card read lower than its shadow balance, so the reason must say why
 * the difference is an error and not money on its way.
 */
export async function requestCorrection(
  tx: Queryable,
  deps: IssuanceDeps,
  ctx: ActionContext,
  cardId: string,
  input: { readPlanId: string; reason: string },
): Promise<CorrectionRow> {
  const card = await requireCard(tx, cardId, { forUpdate: true });
  await refuseWhileLoadsOpen(tx, card.id);
  const open = await openCorrectionOf(tx, card.id);
  if (open !== undefined) {
    throw new AppError('BALANCE_CORRECTION_OPEN', { details: { correctionId: open.id } });
  }
  const read = await purseFromRead(tx, deps, card, input.readPlanId, ctx.now, 'correction');
  const onCard = Amount.fromInt32Fen(read.purse.balanceFen);
  const shadow = await shadowBalance(tx, card.id);
  const amount = onCard.sub(shadow);
  if (amount.isZero()) {
    throw new AppError('BALANCE_CORRECTION_NOT_NEEDED', {
      details: { cardBalance: onCard.toString(), shadowBalance: shadow.toString() },
    });
  }
  const row = await insertCorrection(tx, {
    id: randomUUID(),
    cardId: card.id,
    readPlanId: input.readPlanId,
    cardBalance: onCard.toString(),
    purseCounter: read.purse.counter,
    shadowBalance: shadow.toString(),
    amount: amount.toString(),
    reason: input.reason,
    requestedBy: ctx.staff.id,
    requestedAt: ctx.now,
    requestId: ctx.requestId,
  });
  await audit(tx, ctx, row, 'requested', null);
  return row;
}

/**
 * A second supervisor approves: the shadow balance moves by the amount asked for, provided it has
 * not moved since the request (otherwise the figures the first supervisor saw no longer hold).
 */
export async function approveCorrection(
  tx: Queryable,
  ctx: ActionContext,
  id: string,
  note: string | null,
): Promise<CorrectionRow> {
  const c = await lockedPending(tx, id);
  if (c.requestedBy === ctx.staff.id) {
    throw new AppError('BALANCE_CORRECTION_SELF_APPROVAL', { details: { correctionId: id } });
  }
  await requireCard(tx, c.cardId, { forUpdate: true });
  await refuseWhileLoadsOpen(tx, c.cardId);
  const shadow = await shadowBalance(tx, c.cardId);
  if (!shadow.eq(parseAmount(c.shadowBalance))) {
    throw new AppError('BALANCE_CORRECTION_STALE', {
      details: { correctionId: id, asked: c.shadowBalance, now: shadow.toString() },
    });
  }
  await insertCorrectionEntry(tx, {
    cardId: c.cardId,
    amount: c.amount,
    reference: `correction:${c.id}`,
    at: ctx.now,
  });
  const decided = await decideCorrection(tx, id, {
    state: 'approved',
    by: ctx.staff.id,
    at: ctx.now,
    note,
  });
  await audit(tx, ctx, decided, 'approved', c);
  return decided;
}

/** Any supervisor may turn a request down; the one who asked may withdraw it this way. */
export async function rejectCorrection(
  tx: Queryable,
  ctx: ActionContext,
  id: string,
  note: string,
): Promise<CorrectionRow> {
  const c = await lockedPending(tx, id);
  const decided = await decideCorrection(tx, id, {
    state: 'rejected',
    by: ctx.staff.id,
    at: ctx.now,
    note,
  });
  await audit(tx, ctx, decided, 'rejected', c);
  return decided;
}

async function lockedPending(tx: Queryable, id: string): Promise<CorrectionRow> {
  const c = await requireCorrection(tx, id, { forUpdate: true });
  if (c.state !== 'requested') {
    throw new AppError('BALANCE_CORRECTION_NOT_PENDING', {
      details: { correctionId: id, state: c.state },
    });
  }
  return c;
}

const figures = (c: CorrectionRow) => ({
  state: c.state,
  cardId: c.cardId,
  cardBalance: c.cardBalance,
  shadowBalance: c.shadowBalance,
  amount: c.amount,
  reason: c.reason,
  decisionNote: c.decisionNote,
});

async function audit(
  tx: Queryable,
  ctx: ActionContext,
  row: CorrectionRow,
  what: 'requested' | 'approved' | 'rejected',
  before: CorrectionRow | null,
): Promise<void> {
  await recordAudit(tx, {
    actor: ctx.staff,
    action: `balance_correction.${what}`,
    targetType: 'card',
    targetId: row.cardId,
    requestId: ctx.requestId,
    before: before === null ? undefined : figures(before),
    after: { ...figures(row), correctionId: row.id },
  });
}
