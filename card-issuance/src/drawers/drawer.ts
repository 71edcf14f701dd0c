import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { Amount } from '@citycard/core/money';
import type { StaffPrincipal } from '../auth/roles.js';
import {
  amountFromDb,
  checkCashAvailable,
  checkMovementSign,
  type CashKind,
  expectedCash,
} from './cash.js';
import {
  findOpenDrawer,
  insertMovement,
  lockDrawer,
  movementTotals,
  type DrawerRow,
  type MovementRow,
} from './drawer.repository.js';

export interface CashMovementInput {
  readonly drawerId: string;
  readonly kind: CashKind;
  /** Signed: + into the drawer, − paid out. */
  readonly amount: Amount;
  readonly reference: { readonly type: string; readonly id: string };
  readonly staff: StaffPrincipal;
  readonly requestId: string;
  /** Free text kept with the movement (a correction's reason); never PII. */
  readonly note?: string | null;
}

export interface OpenDrawerRef {
  readonly id: string;
  readonly counterId: string;
  readonly branchId: string;
}

/** The caller's open drawer; counter work that moves cash starts by asking for it. */
export async function requireOpenDrawer(
  tx: Queryable,
  staff: StaffPrincipal,
): Promise<OpenDrawerRef> {
  const drawer = await findOpenDrawer(tx, { staffId: staff.id });
  if (drawer === undefined) throw new AppError('DRAWER_NOT_OPEN');
  return { id: drawer.id, counterId: drawer.counter_id, branchId: drawer.branch_id };
}

/**
 * Appends one movement to an open drawer. The drawer row is locked first, so the closed check,
 * the running total and the next sequence number are all read under the same lock that closing
 * takes: a movement either lands before the close and is counted, or is refused.
 */
export async function recordCashMovement(
  tx: Queryable,
  input: CashMovementInput,
): Promise<{ id: string }> {
  const drawer = await lockDrawer(tx, input.drawerId);
  if (drawer.closed_at !== null) {
    throw new AppError('DRAWER_CLOSED', { details: { drawerId: drawer.id } });
  }
  if (input.kind !== 'correction' && drawer.staff_id !== input.staff.id) {
    throw new AppError('DRAWER_NOT_YOURS', { details: { drawerId: drawer.id } });
  }
  checkMovementSign(input.kind, input.amount);
  const { running, lastSeq } = await runningCash(tx, drawer);
  checkCashAvailable(running, input.amount);
  const row = await append(tx, drawer.id, lastSeq + 1, input);
  return { id: row.id };
}

/**
 * A supervisor's correction to a drawer already closed. The close stays as it was counted; the
 * correction is shown beside it, so the record says both what was found and what was fixed.
 */
export async function recordCorrectionAfterClose(
  tx: Queryable,
  drawer: DrawerRow,
  input: Omit<CashMovementInput, 'drawerId' | 'kind'>,
): Promise<MovementRow> {
  checkMovementSign('correction', input.amount);
  const { lastSeq } = await movementTotals(tx, drawer.id);
  return append(tx, drawer.id, lastSeq + 1, { ...input, drawerId: drawer.id, kind: 'correction' });
}

/** Opening float plus every movement so far: what the drawer should hold now. */
export async function runningCash(
  tx: Queryable,
  drawer: DrawerRow,
): Promise<{ running: Amount; lastSeq: number }> {
  const totals = await movementTotals(tx, drawer.id);
  const sum = totals.total === null ? Amount.zero : amountFromDb(totals.total);
  return {
    running: expectedCash(amountFromDb(drawer.opening_float), [sum]),
    lastSeq: totals.lastSeq,
  };
}

function append(
  tx: Queryable,
  drawerId: string,
  seq: number,
  input: CashMovementInput,
): Promise<MovementRow> {
  const { type, id } = input.reference;
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(type) || id.length === 0 || id.length > 100) {
    throw new AppError('CASH_MOVEMENT_INVALID', {
      message: 'A cash movement needs a reference type (snake_case) and id',
      details: { referenceType: type },
    });
  }
  return insertMovement(tx, {
    drawerId,
    seq,
    kind: input.kind,
    amount: input.amount.toString(),
    referenceType: type,
    referenceId: id,
    staffId: input.staff.id,
    requestId: input.requestId,
    note: input.note ?? null,
  });
}
