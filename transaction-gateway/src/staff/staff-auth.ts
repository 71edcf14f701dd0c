import type { FastifyRequest } from 'fastify';
import type { Queryable } from '@citycard/core/db';
import { staffSessionAuthenticator, type StaffSessionPrincipal } from '@citycard/core/http';

/** The gateway's staff roles; issuance's other roles (clerk, supervisor) open nothing here. */
export const staffRoles = ['finance', 'admin', 'auditor'] as const;
export type StaffRole = (typeof staffRoles)[number];
export type StaffPrincipal = StaffSessionPrincipal<StaffRole>;

/** Staff sessions of the issuance service, read through its staff_session_contract view. */
export function authenticateStaff(
  db: Queryable,
  issuanceSchema = 'issuance',
): (request: FastifyRequest) => Promise<StaffPrincipal> {
  return staffSessionAuthenticator(db, { roles: staffRoles, schema: issuanceSchema });
}
