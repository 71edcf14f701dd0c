import { randomUUID } from 'node:crypto';
import { withTransaction } from '@citycard/core/db';
import { recordAudit } from '../audit/audit.js';
import { login, type LoginDeps } from './login.js';
import type { Role, StaffPrincipal } from './roles.js';
import { endSession } from './sessions.js';

export interface SignedInStaff {
  readonly id: string;
  readonly username: string;
  readonly roles: readonly Role[];
  /** Ends the session opened for the command, with an audit record as a sign-out leaves. */
  end(): Promise<void>;
}

/**
 * Signs a member of staff in from outside HTTP — the command line — with exactly the checks of
 * `POST /auth/login`: the password, disabled accounts, lockout after failures, a login event and
 * an audit record. `origin` stands where a request's address would (for example `cli@host`).
 */
export async function signInStaff(
  deps: LoginDeps,
  input: { readonly username: string; readonly password: string },
  origin: string,
): Promise<SignedInStaff> {
  const requestId = `cli-${randomUUID()}`;
  const result = await login(deps, input, { ip: origin, requestId });
  const row = result.staff;
  const { sessionId } = result;
  const principal: StaffPrincipal = {
    id: row.id,
    username: row.username,
    roles: row.roles,
    branchId: row.branch_id,
    counterId: null,
    sessionId,
  };
  return {
    id: row.id,
    username: row.username,
    roles: row.roles,
    end: async () => {
      await withTransaction(deps.db, async (tx) => {
        await endSession(tx, sessionId, deps.clock());
        await recordAudit(tx, {
          actor: principal,
          action: 'auth.logout',
          targetType: 'session',
          targetId: sessionId,
          requestId,
        });
      });
    },
  };
}
