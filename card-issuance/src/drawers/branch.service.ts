import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { recordAudit } from '../audit/audit.js';
import type { StaffPrincipal } from '../auth/roles.js';
import {
  countOpenDrawersAt,
  insertBranch,
  insertCounter,
  lockBranch,
  lockCounter,
  markBranchClosed,
  updateCounterRow,
  type BranchRow,
  type CounterRow,
} from './branch.repository.js';

/** Who acts and under which request id: what every audited change needs. */
export interface DrawerActor {
  readonly staff: StaffPrincipal;
  readonly requestId: string;
}

export async function createBranch(
  tx: Queryable,
  actor: DrawerActor,
  input: { code: string; name: string; address?: string | null | undefined },
): Promise<BranchRow> {
  const row = await insertBranch(tx, { ...input, address: input.address ?? null });
  if (row === undefined) {
    throw new AppError('BRANCH_CODE_TAKEN', { details: { code: input.code } });
  }
  await audit(tx, actor, 'branch.create', 'branch', row.id, undefined, { code: row.code });
  return row;
}

/** A closed branch keeps its counters and drawers for the record; it takes no new ones. */
export async function closeBranch(tx: Queryable, actor: DrawerActor, id: string) {
  const branch = await lockBranch(tx, id, 'update');
  if (branch.closed_at !== null) throw new AppError('BRANCH_CLOSED', { details: { branchId: id } });
  const open = await countOpenDrawersAt(tx, id);
  if (open > 0) throw new AppError('BRANCH_BUSY', { details: { branchId: id, openDrawers: open } });
  const closed = await markBranchClosed(tx, id);
  await audit(tx, actor, 'branch.close', 'branch', id, { closed: false }, { closed: true });
  return closed;
}

export async function createCounter(
  tx: Queryable,
  actor: DrawerActor,
  branchId: string,
  input: { code: string; name: string },
): Promise<CounterRow> {
  const branch = await lockBranch(tx, branchId, 'share');
  if (branch.closed_at !== null) throw new AppError('BRANCH_CLOSED', { details: { branchId } });
  const row = await insertCounter(tx, { branchId, ...input });
  if (row === undefined) {
    throw new AppError('COUNTER_CODE_TAKEN', { details: { branchId, code: input.code } });
  }
  await audit(tx, actor, 'counter.create', 'counter', row.id, undefined, {
    branchId,
    code: row.code,
    active: row.active,
  });
  return row;
}

/**
 * Taking a counter out of service stops new drawers opening there; a drawer already open at it
 * stays open until its clerk (or a supervisor) closes it, so no shift is cut off mid-count.
 */
export async function updateCounter(
  tx: Queryable,
  actor: DrawerActor,
  id: string,
  change: { active?: boolean | undefined; name?: string | undefined },
): Promise<CounterRow> {
  const current = await lockCounter(tx, id);
  const next = { active: change.active ?? current.active, name: change.name ?? current.name };
  if (next.active === current.active && next.name === current.name) return current;
  const row = await updateCounterRow(tx, id, next);
  await audit(
    tx,
    actor,
    'counter.update',
    'counter',
    id,
    { active: current.active, name: current.name },
    next,
  );
  return row;
}

export async function audit(
  tx: Queryable,
  actor: DrawerActor,
  action: string,
  targetType: string,
  targetId: string,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): Promise<void> {
  await recordAudit(tx, {
    actor: actor.staff,
    action,
    targetType,
    targetId,
    requestId: actor.requestId,
    ...(before === undefined ? {} : { before }),
    after,
  });
}
