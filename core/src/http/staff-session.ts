import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { Principal } from './route.js';

/** A member of staff signed in at the issuance service, with the roles this service honours. */
export interface StaffSessionPrincipal<R extends string> extends Principal<R> {
  /** issuance staff id (uuid) */
  readonly id: string;
  readonly username: string;
  readonly roles: readonly R[];
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

export interface StaffSessionOptions<R extends string> {
  /** The roles this service knows; issuance's other roles open nothing here. */
  readonly roles: readonly R[];
  /** The schema holding issuance's contract views. */
  readonly schema?: string;
}

/**
 * Staff sign in at issuance; another service accepts the same bearer token by looking its sha256
 * up in issuance's `staff_session_contract` view (live sessions of enabled accounts only). Every
 * failure is the same 401, so the answer says nothing about which tokens once existed.
 */
export function staffSessionAuthenticator<R extends string>(
  db: Queryable,
  options: StaffSessionOptions<R>,
): (request: FastifyRequest) => Promise<StaffSessionPrincipal<R>> {
  const schema = options.schema ?? 'issuance';
  const view = `"${schema.replaceAll('"', '""')}".staff_session_contract`;
  const known = new Set<string>(options.roles);
  const isKnown = (role: string): role is R => known.has(role);
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
    return { id: row.staff_id, username: row.username, roles: row.roles.filter(isKnown) };
  };
}
