import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password.js';
import { roles } from './roles.js';
import type { StaffRow } from './staff.repository.js';

const role = z.enum(roles);
const roleList = z
  .array(role)
  .min(1)
  .max(roles.length)
  .refine((list) => new Set(list).size === list.length, 'roles repeat');
const username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/);
const displayName = z.string().trim().min(1).max(100);
/** Length only: a long passphrase beats any mix of character classes. */
const newPassword = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);
const timestamp = z.iso.datetime({ offset: true });

export const loginBody = z.strictObject({
  // Loose on the way in: a malformed name must fail like a wrong one, not with a 400 naming it.
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(1024),
  counterId: z.uuid().optional(),
});

export const staffSummary = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(role),
  branchId: z.uuid().nullable(),
});

export const loginResponse = z.object({
  token: z.string(),
  expiresAt: timestamp,
  staff: staffSummary,
});

export const meResponse = z.object({
  staff: staffSummary,
  counterId: z.uuid().nullable(),
  sessionExpiresAt: timestamp,
});

export const okResponse = z.object({ ok: z.literal(true) });

export const changeOwnPasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword,
});

export const staffDetail = staffSummary.extend({
  disabled: z.boolean(),
  disabledAt: timestamp.nullable(),
  lockedUntil: timestamp.nullable(),
  createdAt: timestamp,
  passwordChangedAt: timestamp,
});

export const createStaffBody = z.strictObject({
  username,
  displayName,
  password: newPassword,
  roles: roleList,
  branchId: z.uuid().nullable().optional(),
});

export const updateStaffBody = z
  .strictObject({
    displayName: displayName.optional(),
    roles: roleList.optional(),
    branchId: z.uuid().nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to change');

export const resetPasswordBody = z.strictObject({ newPassword });

export const staffIdParams = z.strictObject({ id: z.uuid() });

export const staffListQuery = z.strictObject({
  role: role.optional(),
  branchId: z.uuid().optional(),
  username: z.string().max(64).optional(),
  includeDisabled: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const staffList = z.object({ staff: z.array(staffDetail) });

export function toSummary(row: StaffRow): z.input<typeof staffSummary> {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles,
    branchId: row.branch_id,
  };
}

export function toDetail(row: StaffRow): z.input<typeof staffDetail> {
  return {
    ...toSummary(row),
    disabled: row.disabled_at !== null,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    lockedUntil: row.locked_until?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    passwordChangedAt: row.password_changed_at.toISOString(),
  };
}
