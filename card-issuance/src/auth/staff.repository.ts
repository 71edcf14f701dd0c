import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { Role } from './roles.js';

export interface StaffRow {
  readonly id: string;
  readonly username: string;
  readonly display_name: string;
  readonly password_hash: string;
  readonly roles: Role[];
  readonly branch_id: string | null;
  readonly disabled_at: Date | null;
  readonly failed_logins: number;
  readonly locked_until: Date | null;
  readonly created_at: Date;
  readonly password_changed_at: Date;
}

const COLUMNS = `id, username, display_name, password_hash, roles, branch_id, disabled_at,
  failed_logins, locked_until, created_at, password_changed_at`;

export interface NewStaffRow {
  readonly username: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly roles: readonly Role[];
  readonly branchId: string | null;
}

export async function insertStaff(tx: Queryable, row: NewStaffRow): Promise<StaffRow> {
  const { rows } = await tx.query<StaffRow>(
    `INSERT INTO staff (username, display_name, password_hash, roles, branch_id)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [row.username, row.displayName, row.passwordHash, row.roles, row.branchId],
  );
  return rows[0] as StaffRow;
}

export async function usernameTaken(tx: Queryable, username: string): Promise<boolean> {
  const { rowCount } = await tx.query('SELECT 1 FROM staff WHERE lower(username) = lower($1)', [
    username,
  ]);
  return (rowCount ?? 0) > 0;
}

/** With `lock`, concurrent sign-ins to one account count their failures one after another. */
export async function findStaffByUsername(
  tx: Queryable,
  username: string,
  options: { lock?: boolean } = {},
): Promise<StaffRow | undefined> {
  const { rows } = await tx.query<StaffRow>(
    `SELECT ${COLUMNS} FROM staff WHERE lower(username) = lower($1) ${options.lock ? 'FOR UPDATE' : ''}`,
    [username],
  );
  return rows[0];
}

export async function findStaff(
  tx: Queryable,
  id: string,
  options: { lock?: boolean } = {},
): Promise<StaffRow | undefined> {
  const { rows } = await tx.query<StaffRow>(
    `SELECT ${COLUMNS} FROM staff WHERE id = $1 ${options.lock ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

export async function getStaffRow(
  tx: Queryable,
  id: string,
  options: { lock?: boolean } = {},
): Promise<StaffRow> {
  const row = await findStaff(tx, id, options);
  if (row === undefined) throw new AppError('STAFF_NOT_FOUND', { details: { staffId: id } });
  return row;
}

export interface StaffFilter {
  readonly role?: Role | undefined;
  readonly branchId?: string | undefined;
  readonly username?: string | undefined;
  readonly includeDisabled: boolean;
  readonly limit: number;
  readonly offset: number;
}

export async function listStaffRows(tx: Queryable, f: StaffFilter): Promise<StaffRow[]> {
  const { rows } = await tx.query<StaffRow>(
    `SELECT ${COLUMNS} FROM staff
      WHERE ($1::text IS NULL OR $1 = ANY (roles))
        AND ($2::uuid IS NULL OR branch_id = $2)
        AND ($3::text IS NULL OR lower(username) LIKE lower($3) || '%')
        AND ($4 OR disabled_at IS NULL)
      ORDER BY lower(username) LIMIT $5 OFFSET $6`,
    [f.role ?? null, f.branchId ?? null, f.username ?? null, f.includeDisabled, f.limit, f.offset],
  );
  return rows;
}

export interface StaffPatch {
  readonly displayName?: string | undefined;
  readonly roles?: readonly Role[] | undefined;
  readonly branchId?: string | null | undefined;
}

export async function updateStaffRow(
  tx: Queryable,
  id: string,
  patch: StaffPatch,
): Promise<StaffRow> {
  const { rows } = await tx.query<StaffRow>(
    `UPDATE staff SET
       display_name = COALESCE($2, display_name),
       roles = COALESCE($3, roles),
       branch_id = CASE WHEN $4 THEN $5::uuid ELSE branch_id END
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [
      id,
      patch.displayName ?? null,
      patch.roles ?? null,
      patch.branchId !== undefined,
      patch.branchId ?? null,
    ],
  );
  return rows[0] as StaffRow;
}

export async function setDisabledAt(tx: Queryable, id: string, at: Date | null): Promise<StaffRow> {
  // Enabling also lifts a lockout: the admin has just looked at the account.
  const { rows } = await tx.query<StaffRow>(
    `UPDATE staff SET disabled_at = $2,
       failed_logins = CASE WHEN $2::timestamptz IS NULL THEN 0 ELSE failed_logins END,
       locked_until = CASE WHEN $2::timestamptz IS NULL THEN NULL ELSE locked_until END
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, at],
  );
  return rows[0] as StaffRow;
}

export async function setPasswordHash(
  tx: Queryable,
  id: string,
  hash: string,
  at: Date,
): Promise<void> {
  await tx.query(
    `UPDATE staff SET password_hash = $2, password_changed_at = $3, failed_logins = 0,
       locked_until = NULL WHERE id = $1`,
    [id, hash, at],
  );
}

export async function recordFailedLogin(
  tx: Queryable,
  id: string,
  failures: number,
  lockedUntil: Date | null,
): Promise<void> {
  await tx.query('UPDATE staff SET failed_logins = $2, locked_until = $3 WHERE id = $1', [
    id,
    failures,
    lockedUntil,
  ]);
}

export async function clearFailedLogins(tx: Queryable, id: string): Promise<void> {
  await tx.query(
    `UPDATE staff SET failed_logins = 0, locked_until = NULL
      WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)`,
    [id],
  );
}

/**
 * Enabled admins other than `excluding`. Changes that could remove an admin take one lock first,
 * so two admins demoting each other at once cannot leave nobody.
 */
export async function otherEnabledAdmins(tx: Queryable, excluding: string): Promise<number> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('issuance.staff.admins'))");
  const { rows } = await tx.query<{ n: string }>(
    `SELECT count(*) AS n FROM staff
      WHERE 'admin' = ANY (roles) AND disabled_at IS NULL AND id <> $1`,
    [excluding],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function branchExists(tx: Queryable, branchId: string): Promise<boolean> {
  const { rowCount } = await tx.query('SELECT 1 FROM branches WHERE id = $1', [branchId]);
  return (rowCount ?? 0) > 0;
}
