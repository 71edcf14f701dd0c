import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { Amount } from '@citycard/core/money';
import type { z } from 'zod';
import type { StaffPrincipal } from '../auth/roles.js';
import { assertInScope, branchScope } from './access.js';
import type { BranchRow, CounterRow } from './branch.repository.js';
import { amountFromDb, closeOutcome, expectedCash, resultOf } from './cash.js';
import {
  selectDrawers,
  selectMovements,
  type DrawerFilter,
  type DrawerTotalsRow,
  type MovementRow,
} from './drawer.repository.js';
import type {
  branchView,
  counterView,
  drawerDetail,
  drawerQuery,
  drawerView,
  movementView,
} from './drawer.schemas.js';

type DrawerView = z.input<typeof drawerView>;

const orZero = (value: string | null): Amount =>
  value === null ? Amount.zero : amountFromDb(value);

export function toBranchView(row: BranchRow): z.input<typeof branchView> {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    address: row.address,
    createdAt: row.created_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
  };
}

export function toCounterView(row: CounterRow): z.input<typeof counterView> {
  return {
    id: row.id,
    branchId: row.branch_id,
    code: row.code,
    name: row.name,
    active: row.active,
    createdAt: row.created_at.toISOString(),
  };
}

/** The close as it was counted, then (if any) what later corrections make of it. */
function standing(row: DrawerTotalsRow): Pick<DrawerView, 'expectedCash' | 'result' | 'corrected'> {
  if (row.closed_at === null) {
    const running = expectedCash(amountFromDb(row.opening_float), [orZero(row.movements_total)]);
    return { expectedCash: running.toString(), result: null, corrected: null };
  }
  const atClose = orZero(row.expected_cash);
  const difference = orZero(row.difference);
  const base = { expectedCash: atClose.toString(), result: resultOf(difference) };
  if (row.after_close_total === null) return { ...base, corrected: null };
  const corrections = amountFromDb(row.after_close_total);
  const now = closeOutcome(atClose.add(corrections), orZero(row.counted_cash));
  const corrected = {
    corrections: corrections.toString(),
    expectedCash: now.expected.toString(),
    difference: now.difference.toString(),
    result: now.result,
  };
  return { ...base, corrected };
}

export function toDrawerView(row: DrawerTotalsRow): DrawerView {
  return {
    id: row.id,
    staffId: row.staff_id,
    counterId: row.counter_id,
    branchId: row.branch_id,
    state: row.closed_at === null ? 'open' : 'closed',
    openedAt: row.opened_at.toISOString(),
    openingFloat: row.opening_float,
    movementCount: row.movement_count,
    closedAt: row.closed_at?.toISOString() ?? null,
    closedBy: row.closed_by,
    countedCash: row.counted_cash,
    difference: row.difference,
    note: row.note,
    ...standing(row),
  };
}

export function toMovementView(
  row: MovementRow,
  closingSeq: number | null,
): z.input<typeof movementView> {
  return {
    id: row.id,
    seq: row.seq,
    kind: row.kind,
    amount: row.amount,
    reference: { type: row.reference_type, id: row.reference_id },
    staffId: row.staff_id,
    requestId: row.request_id,
    note: row.note,
    at: row.at.toISOString(),
    afterClose: closingSeq !== null && row.seq > closingSeq,
  };
}

async function drawerRow(db: Queryable, id: string, viewer?: StaffPrincipal) {
  const [row] = await selectDrawers(db, { ids: [id], limit: 1 });
  if (row === undefined) throw new AppError('DRAWER_NOT_FOUND', { details: { drawerId: id } });
  if (viewer !== undefined) assertInScope(viewer, row.branch_id);
  return row;
}

export async function drawerViewOf(db: Queryable, id: string): Promise<DrawerView> {
  return toDrawerView(await drawerRow(db, id));
}

export async function drawerDetailOf(
  db: Queryable,
  id: string,
  viewer?: StaffPrincipal,
): Promise<z.input<typeof drawerDetail>> {
  const row = await drawerRow(db, id, viewer);
  const movements = await selectMovements(db, id);
  return {
    ...toDrawerView(row),
    movements: movements.map((m) => toMovementView(m, row.closing_seq)),
  };
}

/** Supervisors bound to a branch see its drawers only; naming another branch is refused. */
export async function listDrawerViews(
  db: Queryable,
  viewer: StaffPrincipal,
  query: z.output<typeof drawerQuery>,
): Promise<DrawerView[]> {
  const scope = branchScope(viewer);
  if (scope !== null && query.branchId !== undefined) assertInScope(viewer, query.branchId);
  const filter: DrawerFilter = {
    branchId: scope ?? query.branchId,
    staffId: query.staffId,
    from: query.from === undefined ? undefined : new Date(query.from),
    to: query.to === undefined ? undefined : new Date(query.to),
    state: query.state,
    limit: query.limit,
  };
  return (await selectDrawers(db, filter)).map(toDrawerView);
}
