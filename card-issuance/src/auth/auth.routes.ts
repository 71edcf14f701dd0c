import { withTransaction } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { recordAudit } from '../audit/audit.js';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import {
  changeOwnPasswordBody,
  loginBody,
  loginResponse,
  meResponse,
  okResponse,
  toSummary,
} from './auth.schemas.js';
import { login } from './login.js';
import { changeOwnPassword } from './staff-admin.js';
import { endSession, sessionExpiry } from './sessions.js';
import { getStaffRow } from './staff.repository.js';

const tags = ['auth'];

export const LOGIN_URL = '/auth/login';

export function registerAuthRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'POST',
    url: LOGIN_URL,
    summary: 'Sign in with username and password; answers a short-lived bearer token',
    tags,
    access: 'public',
    body: loginBody,
    response: loginResponse,
    handler: async ({ body, request }) => {
      const result = await login(deps, body, { ip: request.ip, requestId: request.id });
      return {
        token: result.token,
        expiresAt: result.expiresAt.toISOString(),
        staff: toSummary(result.staff),
      };
    },
  });

  router.route({
    method: 'POST',
    url: '/auth/logout',
    summary: 'End the session of the token used',
    tags,
    access: 'authenticated',
    response: okResponse,
    handler: async ({ principal, request }) => {
      await withTransaction(deps.db, async (tx) => {
        await endSession(tx, principal.sessionId, deps.clock());
        await recordAudit(tx, {
          actor: principal,
          action: 'auth.logout',
          targetType: 'session',
          targetId: principal.sessionId,
          requestId: request.id,
        });
      });
      return { ok: true as const };
    },
  });

  router.route({
    method: 'GET',
    url: '/auth/me',
    summary: 'Who the token belongs to, and where they signed in',
    tags,
    access: 'authenticated',
    response: meResponse,
    handler: async ({ principal }) => {
      const [row, expiresAt] = await Promise.all([
        getStaffRow(deps.db, principal.id),
        sessionExpiry(deps.db, principal.sessionId),
      ]);
      if (expiresAt === undefined) throw new AppError('UNAUTHENTICATED');
      return {
        staff: toSummary(row),
        counterId: principal.counterId,
        sessionExpiresAt: expiresAt.toISOString(),
      };
    },
  });

  router.route({
    method: 'POST',
    url: '/auth/password',
    summary: 'Change your own password (needs the current one); ends your other sessions',
    tags,
    access: 'authenticated',
    body: changeOwnPasswordBody,
    response: okResponse,
    handler: async ({ body, principal, request }) => {
      await changeOwnPassword(deps, principal, body, request.id);
      return { ok: true as const };
    },
  });
}
