import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { Amount } from '@citycard/core/money';
import { assertInScope } from './access.js';
import { lockCounterPlace } from './branch.repository.js';
import { audit, type DrawerActor } from './branch.service.js';
import { closeOutcome, type CloseOutcome } from './cash.js';
import { recordCashMovement, recordCorrectionAfterClose, runningCash } from './drawer.js';
import {
  findMovement,
  findOpenDrawer,
  insertDrawer,
  lockDrawer,
  markDrawerClosed,
  type DrawerRow,
} from './drawer.repository.js';

/**
 * The counter comes from the request or, when left out, from the session: a clerk signs in at a
 * counter. Naming a different one than the session's is refused, so that the audit trail's
 * counter and the drawer's counter never disagree.
 */
function counterFor(actor: DrawerActor, requested: string | undefined): string {
  const session = actor.staff.counterId;
  if (requested !== undefined && session !== null && requested !== session) {
    throw new AppError('COUNTER_SESSION_MISMATCH', { details: { counterId: requested } });
  }
  const counterId = requested ?? session;
  if (counterId === null) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'Name the counter: this session was not opened at one',
      details: { issues: [{ path: 'body.counterId', message: 'required' }] },
    });
  }
  return counterId;
}

export async function openDrawer(
  tx: Queryable,
  actor: DrawerActor,
  input: { counterId?: string | undefined; openingFloat: Amount },
): Promise<DrawerRow> {
  const counterId = counterFor(actor, input.counterId);
  const mine = await findOpenDrawer(tx, { staffId: actor.staff.id });
  if (mine !== undefined) {
    throw new AppError('DRAWER_ALREADY_OPEN', { details: { drawerId: mine.id } });
  }
  const place = await lockCounterPlace(tx, counterId);
  if (actor.staff.branchId !== null && place.branch_id !== actor.staff.branchId) {
    throw new AppError('BRANCH_OUT_OF_SCOPE', { details: { counterId } });
  }
  if (place.branch_closed_at !== null) {
    throw new AppError('BRANCH_CLOSED', { details: { branchId: place.branch_id } });
  }
  if (!place.active) throw new AppError('COUNTER_INACTIVE', { details: { counterId } });
  if ((await findOpenDrawer(tx, { counterId })) !== undefined) {
    throw new AppError('COUNTER_BUSY', { details: { counterId } });
  }
  const drawer = await insertDrawer(tx, {
    staffId: actor.staff.id,
    counterId,
    branchId: place.branch_id,
    openingFloat: input.openingFloat.toString(),
  });
  await audit(tx, actor, 'drawer.open', 'drawer', drawer.id, undefined, {
    counterId,
    branchId: place.branch_id,
    openingFloat: drawer.opening_float,
  });
  return drawer;
}

export interface ClosedDrawer {
  readonly drawer: DrawerRow;
  readonly outcome: CloseOutcome;
}

/** The caller closes their own drawer with what they counted in it. */
export async function closeOwnDrawer(
  tx: Queryable,
  actor: DrawerActor,
  input: { countedCash: Amount; note?: string | undefined },
): Promise<ClosedDrawer> {
  const drawer = await findOpenDrawer(tx, { staffId: actor.staff.id }, true);
  if (drawer === undefined) throw new AppError('DRAWER_NOT_OPEN');
  return close(tx, actor, drawer, input);
}

/** A supervisor counts and closes a drawer its clerk left open (end of day, illness). */
export async function closeDrawerById(
  tx: Queryable,
  actor: DrawerActor,
  drawerId: string,
  input: { countedCash: Amount; note?: string | undefined },
): Promise<ClosedDrawer> {
  const drawer = await lockDrawer(tx, drawerId);
  assertInScope(actor.staff, drawer.branch_id);
  if (drawer.closed_at !== null) throw new AppError('DRAWER_CLOSED', { details: { drawerId } });
  return close(tx, actor, drawer, input);
}

async function close(
  tx: Queryable,
  actor: DrawerActor,
  drawer: DrawerRow,
  input: { countedCash: Amount; note?: string | undefined },
): Promise<ClosedDrawer> {
  const { running, lastSeq } = await runningCash(tx, drawer);
  const outcome = closeOutcome(running, input.countedCash);
  const closed = await markDrawerClosed(tx, drawer.id, {
    countedCash: outcome.counted.toString(),
    expectedCash: outcome.expected.toString(),
    difference: outcome.difference.toString(),
    closedBy: actor.staff.id,
    closingSeq: lastSeq,
    note: input.note ?? null,
  });
  await audit(
    tx,
    actor,
    'drawer.close',
    'drawer',
    drawer.id,
    { state: 'open' },
    {
      state: 'closed',
      expectedCash: closed.expected_cash,
      countedCash: closed.counted_cash,
      difference: closed.difference,
      result: outcome.result,
    },
  );
  return { drawer: closed, outcome };
}

/**
 * A correction is always a new movement, never an edit. Into an open drawer it changes what the
 * close will expect; into a closed one it leaves the close as counted and shows beside it.
 */
export async function correctDrawer(
  tx: Queryable,
  actor: DrawerActor,
  drawerId: string,
  input: { amount: Amount; reason: string; movementId?: string | undefined },
): Promise<{ id: string; afterClose: boolean }> {
  const drawer = await lockDrawer(tx, drawerId);
  assertInScope(actor.staff, drawer.branch_id);
  const reference = await correctionReference(tx, drawer.id, input.movementId);
  const movement = { amount: input.amount, reference, note: input.reason, ...actorFields(actor) };
  const afterClose = drawer.closed_at !== null;
  const { id } = afterClose
    ? await recordCorrectionAfterClose(tx, drawer, movement)
    : await recordCashMovement(tx, { ...movement, drawerId, kind: 'correction' });
  await audit(tx, actor, 'drawer.correction', 'drawer', drawerId, undefined, {
    movementId: id,
    amount: input.amount.toString(),
    afterClose,
    ...(input.movementId === undefined ? {} : { corrects: input.movementId }),
  });
  return { id, afterClose };
}

async function correctionReference(tx: Queryable, drawerId: string, movementId?: string) {
  if (movementId === undefined) return { type: 'drawer', id: drawerId };
  if ((await findMovement(tx, drawerId, movementId)) === undefined) {
    throw new AppError('NOT_FOUND', {
      message: 'The drawer has no such movement',
      details: { movementId },
    });
  }
  return { type: 'cash_movement', id: movementId };
}

/**
 * Cash brought from the safe into the drawer (+) or dropped from it to the safe (−) during the
 * shift, so a full drawer can be emptied without the close showing a short.
 */
export async function adjustFloat(
  tx: Queryable,
  actor: DrawerActor,
  input: { amount: Amount; note?: string | undefined },
): Promise<{ id: string; drawerId: string }> {
  const open = await findOpenDrawer(tx, { staffId: actor.staff.id });
  if (open === undefined) throw new AppError('DRAWER_NOT_OPEN');
  const { id } = await recordCashMovement(tx, {
    drawerId: open.id,
    kind: 'float',
    amount: input.amount,
    reference: { type: 'drawer', id: open.id },
    note: input.note ?? null,
    ...actorFields(actor),
  });
  await audit(tx, actor, 'drawer.float', 'drawer', open.id, undefined, {
    movementId: id,
    amount: input.amount.toString(),
  });
  return { id, drawerId: open.id };
}

function actorFields(actor: DrawerActor) {
  return { staff: actor.staff, requestId: actor.requestId };
}
