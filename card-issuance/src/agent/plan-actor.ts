import type { Queryable } from '@citycard/core/db';
import type { Role, StaffPrincipal } from '../auth/roles.js';
import type { ActionContext } from '../cards/card-context.js';
import type { ReportContext } from './plan-registry.js';
import type { PlanRow } from './plan.repository.js';

/**
 * The member of staff a reported plan acts for: the one who asked for it, at the counter the plan
 * was made for. Changes that a report makes (state changes, cash, audit) are theirs.
 */
export async function planActor(tx: Queryable, plan: PlanRow): Promise<StaffPrincipal | null> {
  if (plan.createdBy === null) return null;
  const { rows } = await tx.query<{ username: string; roles: Role[]; branchId: string | null }>(
    'SELECT username, roles, branch_id AS "branchId" FROM staff WHERE id = $1',
    [plan.createdBy],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return {
    id: plan.createdBy,
    username: row.username,
    roles: row.roles,
    branchId: row.branchId,
    counterId: plan.counterId,
    // Not a session of theirs: the agent's report carries the request.
    sessionId: plan.id,
  };
}

/** An ActionContext for card commands made on the report of a plan staff asked for. */
export async function planActionContext(
  tx: Queryable,
  plan: PlanRow,
  ctx: ReportContext,
): Promise<ActionContext | null> {
  const staff = await planActor(tx, plan);
  return staff === null ? null : { staff, requestId: ctx.requestId, now: ctx.now };
}
