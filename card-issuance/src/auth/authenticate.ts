import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '@citycard/core/errors';
import type { IssuanceDeps } from '../deps.js';
import type { StaffPrincipal } from './roles.js';
import { findLiveSession, hashToken, TOKEN_PATTERN } from './sessions.js';

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  const token = match?.[1];
  return token !== undefined && TOKEN_PATTERN.test(token) ? token : undefined;
}

/**
 * Resolves `authorization: Bearer <token>` to the member of staff behind it. Every way a token
 * can fail (missing, malformed, unknown, expired, ended, account disabled) gives the same 401,
 * so the answer tells a caller nothing about which tokens once existed.
 */
export function createAuthenticator(
  deps: IssuanceDeps,
): (request: FastifyRequest) => Promise<StaffPrincipal> {
  return async (request) => {
    const token = bearerToken(request);
    if (token === undefined) throw new AppError('UNAUTHENTICATED');
    const tokenHash = hashToken(token);
    const row = await findLiveSession(deps.db, tokenHash, deps.clock());
    // The lookup found the row by the hash already; comparing again in constant time keeps the
    // check independent of how the index compares bytes.
    if (row === undefined || !timingSafeEqual(row.token_hash, tokenHash)) {
      throw new AppError('UNAUTHENTICATED');
    }
    return {
      id: row.staff_id,
      username: row.username,
      roles: row.roles,
      branchId: row.branch_id,
      counterId: row.counter_id,
      sessionId: row.session_id,
    };
  };
}
