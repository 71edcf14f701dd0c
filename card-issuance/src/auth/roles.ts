import type { Principal } from '@citycard/core/http';

export const roles = ['clerk', 'supervisor', 'finance', 'auditor', 'admin'] as const;
export type Role = (typeof roles)[number];

/** The signed-in member of staff behind a request. */
export interface StaffPrincipal extends Principal<Role> {
  /** staff.id (uuid) */
  readonly id: string;
  readonly username: string;
  readonly roles: readonly Role[];
  /** The branch the account belongs to, when it is bound to one (clerks, supervisors). */
  readonly branchId: string | null;
  /** The counter the session was opened at (clerks sign in at a counter), for the audit trail. */
  readonly counterId: string | null;
  /** sessions.id of the token used, so logout can end exactly this session. */
  readonly sessionId: string;
}
