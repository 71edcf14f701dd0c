import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { Principal } from '@citycard/core/http';

/** Clearing's staff roles; issuance's other roles (clerk, supervisor) open nothing here. */
export const staffRoles = ['finance', 'auditor', 'admin'] as const;
export type StaffRole = (typeof staffRoles)[number];

export interface StaffPrincipal extends Principal<StaffRole> {
  /** issuance staff id (uuid) */
  readonly id: string;
  readonly username: string;
  readonly roles: readonly StaffRole[];
}

/** Issuance's bearer tokens: 32 random bytes in base64url. Anything else is refused unread. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const token = /^Bearer ([^\s]+)$/i.exec(header.trim())?.[1];
  return token !== undefined && TOKEN_PATTERN.test(token) ? token : undefined;
}

interface SessionRow {
  token_hash: Buffer;
  staff_id: string;
  username: string;
  roles: string[];
}

const isStaffRole = (role: string): role is StaffRole =>
  (staffRoles as readonly string[]).includes(role);

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Staff sign in at issuance; clearing accepts the same bearer token by looking its sha256 up in
 * issuance.staff_session_contract (live sessions of enabled accounts only). Every failure is the
 * same 401, so the answer says nothing about which tokens once existed.
 */
export function authenticateStaff(
  db: Queryable,
  issuanceSchema = 'issuance',
): (request: FastifyRequest) => Promise<StaffPrincipal> {
  const view = `${quoteIdent(issuanceSchema)}.staff_session_contract`;
  return async (request) => {
    const token = bearerToken(request);
    if (token === undefined) throw new AppError('UNAUTHENTICATED');
    const tokenHash = createHash('sha256').update(token, 'utf8').digest();
    const { rows } = await db.query<SessionRow>(
      `SELECT token_hash, staff_id, username, roles
         FROM ${view}
        WHERE token_hash = $1 AND expires_at > now()`,
      [tokenHash],
    );
    const row = rows[0];
    if (row === undefined || !timingSafeEqual(row.token_hash, tokenHash)) {
      throw new AppError('UNAUTHENTICATED');
    }
    return { id: row.staff_id, username: row.username, roles: row.roles.filter(isStaffRole) };
  };
}
