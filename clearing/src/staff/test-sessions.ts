import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';

export interface TestStaff {
  readonly staffId: string;
  readonly username: string;
  readonly headers: Record<string, string>;
}

/**
 * For tests: a staff account and a live session in issuance's own tables, as signing in at
 * issuance would leave them, so clearing reads it through the real staff_session_contract view.
 */
export async function addStaffSession(
  db: Queryable,
  roles: readonly string[],
  username = `staff_${randomBytes(4).toString('hex')}`,
): Promise<TestStaff> {
  const token = randomBytes(32).toString('base64url');
  const { rows } = await db.query<{ id: string }>(
    `WITH s AS (
       INSERT INTO issuance.staff (username, display_name, password_hash, roles)
       VALUES ($1, $1, 'scrypt$test', $2) RETURNING id
     )
     INSERT INTO issuance.sessions (staff_id, token_hash, created_at, expires_at)
     SELECT id, $3, now(), now() + interval '1 hour' FROM s RETURNING staff_id AS id`,
    [username, roles, createHash('sha256').update(token).digest()],
  );
  const staffId = rows[0]?.id ?? '';
  return { staffId, username, headers: { authorization: `Bearer ${token}` } };
}
