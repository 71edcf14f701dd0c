import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import type { Role } from './roles.js';

const TOKEN_BYTES = 32;
/** 32 random bytes in base64url, nothing else: anything longer or odd is refused unread. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export interface OpenedSession {
  readonly id: string;
  readonly token: string;
  readonly expiresAt: Date;
}

export async function openSession(
  tx: Queryable,
  input: { staffId: string; counterId: string | null; ip: string; now: Date; ttlSeconds: number },
): Promise<OpenedSession> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const expiresAt = new Date(input.now.getTime() + input.ttlSeconds * 1000);
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO sessions (staff_id, token_hash, counter_id, created_at, expires_at, ip)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [input.staffId, hashToken(token), input.counterId, input.now, expiresAt, input.ip.slice(0, 64)],
  );
  return { id: (rows[0] as { id: string }).id, token, expiresAt };
}

export interface SessionPrincipalRow {
  readonly session_id: string;
  readonly token_hash: Buffer;
  readonly counter_id: string | null;
  readonly staff_id: string;
  readonly username: string;
  readonly display_name: string;
  readonly roles: Role[];
  readonly branch_id: string | null;
}

/** The live session behind a token hash: not ended, not expired, its account not disabled. */
export async function findLiveSession(
  db: Queryable,
  tokenHash: Buffer,
  now: Date,
): Promise<SessionPrincipalRow | undefined> {
  const { rows } = await db.query<SessionPrincipalRow>(
    `SELECT s.id AS session_id, s.token_hash, s.counter_id, t.id AS staff_id, t.username,
            t.display_name, t.roles, t.branch_id
       FROM sessions s JOIN staff t ON t.id = s.staff_id
      WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2
        AND t.disabled_at IS NULL`,
    [tokenHash, now],
  );
  return rows[0];
}

export async function endSession(tx: Queryable, sessionId: string, now: Date): Promise<void> {
  await tx.query('UPDATE sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL', [
    sessionId,
    now,
  ]);
}

/** Ends every open session of an account (disabled, password reset), but `keep` if given. */
export async function endStaffSessions(
  tx: Queryable,
  staffId: string,
  now: Date,
  keep?: string,
): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE sessions SET ended_at = GREATEST($2, created_at)
      WHERE staff_id = $1 AND ended_at IS NULL AND ($3::uuid IS NULL OR id <> $3)`,
    [staffId, now, keep ?? null],
  );
  return rowCount ?? 0;
}

export async function sessionExpiry(db: Queryable, sessionId: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ expires_at: Date }>(
    'SELECT expires_at FROM sessions WHERE id = $1',
    [sessionId],
  );
  return rows[0]?.expires_at;
}
