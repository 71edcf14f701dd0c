import { withTransaction, type Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { recordAudit } from '../audit/audit.js';
import type { IssuanceDeps } from '../deps.js';
import { hashPassword, verifyPassword } from './password.js';
import type { Role, StaffPrincipal } from './roles.js';
import { endStaffSessions } from './sessions.js';
import {
  checkBranch,
  checkPasswordPolicy,
  createStaffRow,
  staffAuditView,
  type NewStaff,
} from './staff.js';
import {
  getStaffRow,
  otherEnabledAdmins,
  setDisabledAt,
  setPasswordHash,
  updateStaffRow,
  type StaffPatch,
  type StaffRow,
} from './staff.repository.js';

interface Change {
  readonly deps: IssuanceDeps;
  readonly actor: StaffPrincipal;
  readonly requestId: string;
}

async function audit(
  tx: Queryable,
  c: Change,
  action: string,
  before: StaffRow | undefined,
  after: StaffRow,
): Promise<void> {
  await recordAudit(tx, {
    actor: c.actor,
    action,
    targetType: 'staff',
    targetId: after.id,
    requestId: c.requestId,
    ...(before === undefined ? {} : { before: staffAuditView(before) }),
    after: staffAuditView(after),
  });
}

async function keepAnAdmin(tx: Queryable, row: StaffRow, leaves: boolean): Promise<void> {
  const isEnabledAdmin = row.roles.includes('admin') && row.disabled_at === null;
  if (isEnabledAdmin && leaves && (await otherEnabledAdmins(tx, row.id)) === 0) {
    throw new AppError('LAST_ADMIN');
  }
}

export async function adminCreateStaff(c: Change, input: NewStaff): Promise<StaffRow> {
  return withTransaction(c.deps.db, async (tx) => {
    const row = await createStaffRow(tx, input);
    await audit(tx, c, 'staff.create', undefined, row);
    return row;
  });
}

export async function adminUpdateStaff(
  c: Change,
  id: string,
  patch: StaffPatch,
): Promise<StaffRow> {
  return withTransaction(c.deps.db, async (tx) => {
    const before = await getStaffRow(tx, id, { lock: true });
    const roles: readonly Role[] | undefined = patch.roles;
    await keepAnAdmin(tx, before, roles !== undefined && !roles.includes('admin'));
    await checkBranch(tx, patch.branchId);
    const after = await updateStaffRow(tx, id, patch);
    await audit(tx, c, 'staff.update', before, after);
    return after;
  });
}

/** Disabling also ends the account's sessions: its tokens stop working at once. */
export async function setStaffEnabled(c: Change, id: string, enabled: boolean): Promise<StaffRow> {
  return withTransaction(c.deps.db, async (tx) => {
    const before = await getStaffRow(tx, id, { lock: true });
    if (enabled === (before.disabled_at === null)) return before;
    await keepAnAdmin(tx, before, !enabled);
    const now = c.deps.clock();
    const after = await setDisabledAt(tx, id, enabled ? null : now);
    if (!enabled) await endStaffSessions(tx, id, now);
    await audit(tx, c, enabled ? 'staff.enable' : 'staff.disable', before, after);
    return after;
  });
}

/** An admin sets a new password; every session of the account ends and any lockout lifts. */
export async function adminResetPassword(
  c: Change,
  id: string,
  newPassword: string,
): Promise<StaffRow> {
  checkPasswordPolicy(newPassword);
  const hash = await hashPassword(newPassword);
  return withTransaction(c.deps.db, async (tx) => {
    const before = await getStaffRow(tx, id, { lock: true });
    const now = c.deps.clock();
    await setPasswordHash(tx, id, hash, now);
    await endStaffSessions(tx, id, now);
    const after = await getStaffRow(tx, id);
    await audit(tx, c, 'staff.password_reset', before, after);
    return after;
  });
}

export async function changeOwnPassword(
  deps: IssuanceDeps,
  actor: StaffPrincipal,
  input: { currentPassword: string; newPassword: string },
  requestId: string,
): Promise<void> {
  checkPasswordPolicy(input.newPassword);
  const current = await getStaffRow(deps.db, actor.id);
  if (!(await verifyPassword(input.currentPassword, current.password_hash))) {
    throw new AppError('CURRENT_PASSWORD_WRONG');
  }
  const hash = await hashPassword(input.newPassword);
  await withTransaction(deps.db, async (tx) => {
    const before = await getStaffRow(tx, actor.id, { lock: true });
    // Someone else (an admin reset) changed it while the old one was being checked.
    if (before.password_hash !== current.password_hash)
      throw new AppError('CURRENT_PASSWORD_WRONG');
    const now = deps.clock();
    await setPasswordHash(tx, actor.id, hash, now);
    await endStaffSessions(tx, actor.id, now, actor.sessionId);
    const after = await getStaffRow(tx, actor.id);
    await audit(tx, { deps, actor, requestId }, 'staff.password_change', before, after);
  });
}
