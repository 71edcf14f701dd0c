import type { Queryable } from '@citycard/core/db';

export type LoginReason =
  'ok' | 'unknown_user' | 'wrong_password' | 'disabled' | 'locked' | 'counter_refused';

export interface LoginEvent {
  readonly staffId: string | null;
  readonly username: string;
  readonly reason: LoginReason;
  readonly sessionId?: string;
  readonly at: Date;
  readonly ip: string;
}

export async function insertLoginEvent(tx: Queryable, e: LoginEvent): Promise<void> {
  await tx.query(
    `INSERT INTO login_events (staff_id, username, outcome, reason, session_id, at, ip)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      e.staffId,
      e.username.slice(0, 200),
      e.reason === 'ok' ? 'success' : 'failure',
      e.reason,
      e.sessionId ?? null,
      e.at,
      e.ip.slice(0, 64),
    ],
  );
}

export interface CounterPlace {
  readonly branch_id: string;
  readonly active: boolean;
}

export async function findCounter(tx: Queryable, id: string): Promise<CounterPlace | undefined> {
  const { rows } = await tx.query<CounterPlace>(
    'SELECT branch_id, active FROM counters WHERE id = $1',
    [id],
  );
  return rows[0];
}
