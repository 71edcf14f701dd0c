import { withTransaction, type Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { recordAudit } from '../audit/audit.js';
import type { IssuanceDeps } from '../deps.js';
import { findCounter, insertLoginEvent, type LoginReason } from './login.repository.js';
import { verifyAgainstNothing, verifyPassword } from './password.js';
import type { StaffPrincipal } from './roles.js';
import { openSession } from './sessions.js';
import {
  clearFailedLogins,
  findStaffByUsername,
  recordFailedLogin,
  type StaffRow,
} from './staff.repository.js';

export interface LoginInput {
  readonly username: string;
  readonly password: string;
  readonly counterId?: string | undefined;
}

export interface LoginContext {
  readonly ip: string;
  readonly requestId: string;
}

export interface LoginResult {
  readonly token: string;
  readonly sessionId: string;
  readonly expiresAt: Date;
  readonly staff: StaffRow;
}

/** What signing in needs of the service: its pool, its clock and its lockout and session settings. */
export type LoginDeps = Pick<IssuanceDeps, 'db' | 'clock' | 'settings'>;

type Outcome = { ok: true; result: LoginResult } | { ok: false; error: AppError };

const failed = (): Outcome => ({ ok: false, error: new AppError('LOGIN_FAILED') });

/**
 * Signs a member of staff in. The password is checked before any row is locked (scrypt is slow
 * and a pooled connection is scarce); the verdict is then applied under the account's row lock,
 * and refusals are committed before they are answered so failures count even though the
 * request fails.
 */
export async function login(
  deps: LoginDeps,
  input: LoginInput,
  ctx: LoginContext,
): Promise<LoginResult> {
  const found = await findStaffByUsername(deps.db, input.username);
  const now = deps.clock();
  if (found !== undefined && isLocked(found, now)) {
    await withTransaction(deps.db, (tx) => event(tx, found, input, ctx, now, 'locked'));
    throw lockedError(found, now);
  }
  const passwordOk =
    found === undefined
      ? await verifyAgainstNothing(input.password).then(() => false)
      : await verifyPassword(input.password, found.password_hash);
  const outcome = await withTransaction(deps.db, (tx) =>
    decide(tx, deps, input, ctx, { passwordOk, verifiedHash: found?.password_hash }),
  );
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

function isLocked(row: StaffRow, now: Date): boolean {
  return row.locked_until !== null && row.locked_until > now;
}

function lockedError(row: StaffRow, now: Date): AppError {
  const until = row.locked_until ?? now;
  const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new AppError('ACCOUNT_LOCKED', { details: { retryAfterSeconds } });
}

async function event(
  tx: Queryable,
  row: StaffRow | undefined,
  input: LoginInput,
  ctx: LoginContext,
  at: Date,
  reason: LoginReason,
  sessionId?: string,
): Promise<void> {
  await insertLoginEvent(tx, {
    staffId: row?.id ?? null,
    username: input.username,
    reason,
    ...(sessionId === undefined ? {} : { sessionId }),
    at,
    ip: ctx.ip,
  });
}

async function decide(
  tx: Queryable,
  deps: LoginDeps,
  input: LoginInput,
  ctx: LoginContext,
  check: { passwordOk: boolean; verifiedHash: string | undefined },
): Promise<Outcome> {
  const now = deps.clock();
  const row = await findStaffByUsername(tx, input.username, { lock: true });
  if (row === undefined) {
    await event(tx, undefined, input, ctx, now, 'unknown_user');
    return failed();
  }
  if (row.disabled_at !== null) {
    await event(tx, row, input, ctx, now, 'disabled');
    return failed();
  }
  if (isLocked(row, now)) {
    await event(tx, row, input, ctx, now, 'locked');
    return { ok: false, error: lockedError(row, now) };
  }
  // A password changed while this one was being checked was checked against the old hash.
  if (!check.passwordOk || check.verifiedHash !== row.password_hash) {
    return countFailure(tx, deps, row, input, ctx, now);
  }
  const refused = await counterRefusal(tx, row, input.counterId);
  if (refused !== undefined) {
    await event(tx, row, input, ctx, now, 'counter_refused');
    return { ok: false, error: refused };
  }
  return { ok: true, result: await succeed(tx, deps, row, input, ctx, now) };
}

async function countFailure(
  tx: Queryable,
  deps: LoginDeps,
  row: StaffRow,
  input: LoginInput,
  ctx: LoginContext,
  now: Date,
): Promise<Outcome> {
  const { lockoutThreshold, lockoutSeconds } = deps.settings;
  const failures = row.failed_logins + 1;
  await event(tx, row, input, ctx, now, 'wrong_password');
  if (failures < lockoutThreshold) {
    await recordFailedLogin(tx, row.id, failures, null);
    return failed();
  }
  // The count starts again once the lock has run out: another full round of tries, not one.
  const lockedUntil = new Date(now.getTime() + lockoutSeconds * 1000);
  await recordFailedLogin(tx, row.id, 0, lockedUntil);
  await recordAudit(tx, {
    actor: { system: 'auth' },
    action: 'staff.locked',
    targetType: 'staff',
    targetId: row.id,
    requestId: ctx.requestId,
    after: { lockedUntil: lockedUntil.toISOString(), failures },
  });
  return { ok: false, error: lockedError({ ...row, locked_until: lockedUntil }, now) };
}

async function counterRefusal(
  tx: Queryable,
  row: StaffRow,
  counterId: string | undefined,
): Promise<AppError | undefined> {
  if (counterId === undefined) return undefined;
  const counter = await findCounter(tx, counterId);
  if (counter === undefined) return new AppError('COUNTER_NOT_FOUND', { details: { counterId } });
  if (!counter.active) return new AppError('COUNTER_INACTIVE', { details: { counterId } });
  if (row.branch_id !== null && row.branch_id !== counter.branch_id) {
    return new AppError('BRANCH_OUT_OF_SCOPE', { details: { counterId } });
  }
  return undefined;
}

async function succeed(
  tx: Queryable,
  deps: LoginDeps,
  row: StaffRow,
  input: LoginInput,
  ctx: LoginContext,
  now: Date,
): Promise<LoginResult> {
  await clearFailedLogins(tx, row.id);
  const session = await openSession(tx, {
    staffId: row.id,
    counterId: input.counterId ?? null,
    ip: ctx.ip,
    now,
    ttlSeconds: deps.settings.sessionTtlSeconds,
  });
  await event(tx, row, input, ctx, now, 'ok', session.id);
  const principal: StaffPrincipal = {
    id: row.id,
    username: row.username,
    roles: row.roles,
    branchId: row.branch_id,
    counterId: input.counterId ?? null,
    sessionId: session.id,
  };
  await recordAudit(tx, {
    actor: principal,
    action: 'auth.login',
    targetType: 'session',
    targetId: session.id,
    requestId: ctx.requestId,
  });
  return { token: session.token, sessionId: session.id, expiresAt: session.expiresAt, staff: row };
}
