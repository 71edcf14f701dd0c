import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { recordAudit } from '../audit/audit.js';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password.js';
import type { Role } from './roles.js';
import {
  branchExists,
  insertStaff,
  otherEnabledAdmins,
  usernameTaken,
  type StaffRow,
} from './staff.repository.js';

export interface NewStaff {
  readonly username: string;
  readonly displayName: string;
  readonly password: string;
  readonly roles: readonly Role[];
  readonly branchId?: string | null;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;

export function checkPasswordPolicy(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new AppError('PASSWORD_TOO_WEAK', {
      details: { minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
    });
  }
}

export async function checkBranch(tx: Queryable, branchId: string | null | undefined) {
  if (branchId != null && !(await branchExists(tx, branchId))) {
    throw new AppError('BRANCH_NOT_FOUND', { details: { branchId } });
  }
}

/** Validates and inserts an account; auditing is the caller's, who knows who asked. */
export async function createStaffRow(tx: Queryable, input: NewStaff): Promise<StaffRow> {
  if (!USERNAME_PATTERN.test(input.username)) {
    throw new AppError('VALIDATION_FAILED', {
      details: { issues: [{ path: 'username', message: 'invalid username' }] },
    });
  }
  if (input.roles.length === 0) {
    throw new AppError('VALIDATION_FAILED', {
      details: { issues: [{ path: 'roles', message: 'at least one role' }] },
    });
  }
  checkPasswordPolicy(input.password);
  await checkBranch(tx, input.branchId);
  if (await usernameTaken(tx, input.username)) throw new AppError('USERNAME_TAKEN');
  const passwordHash = await hashPassword(input.password);
  try {
    return await insertStaff(tx, {
      username: input.username,
      displayName: input.displayName,
      passwordHash,
      roles: [...new Set(input.roles)],
      branchId: input.branchId ?? null,
    });
  } catch (err) {
    // Another transaction took the name between the check and the insert.
    if ((err as { code?: string }).code === '23505') throw new AppError('USERNAME_TAKEN');
    throw err;
  }
}

export async function createStaff(tx: Queryable, input: NewStaff): Promise<{ id: string }> {
  const row = await createStaffRow(tx, input);
  return { id: row.id };
}

export type BootstrapResult = { created: true; id: string } | { created: false };

/**
 * Creates the first admin of a fresh installation. Does nothing while any enabled admin exists,
 * so running it again (or on every start) can never add a second way in.
 */
export async function bootstrapAdmin(
  tx: Queryable,
  input: { username: string; password: string; displayName?: string },
): Promise<BootstrapResult> {
  // No account has this id, so every enabled admin counts.
  if ((await otherEnabledAdmins(tx, '00000000-0000-0000-0000-000000000000')) > 0) {
    return { created: false };
  }
  const row = await createStaffRow(tx, {
    username: input.username,
    displayName: input.displayName ?? 'Administrator',
    password: input.password,
    roles: ['admin'],
  });
  await recordAudit(tx, {
    actor: { system: 'bootstrap' },
    action: 'staff.bootstrap_admin',
    targetType: 'staff',
    targetId: row.id,
    requestId: `bootstrap-${row.id}`,
    after: staffAuditView(row),
  });
  return { created: true, id: row.id };
}

/** What the audit hashes of an account: never the password hash. */
export function staffAuditView(row: StaffRow) {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles,
    branchId: row.branch_id,
    disabled: row.disabled_at !== null,
  };
}
