import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { TerminalStatus } from '../terminals/index.js';

export interface OperatorRow {
  id: string;
  name: string;
  kind: 'transit' | 'retail';
  card_code: number;
  enabled: boolean;
  created_at: Date;
}

export interface TerminalAdminRow {
  id: string;
  operator_id: string;
  status: TerminalStatus;
  description: string | null;
  mac_key_id: string | null;
  cert_serial: string | null;
  created_at: Date;
  enrolled_at: Date | null;
  disabled_at: Date | null;
  retired_at: Date | null;
}

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (err: unknown): boolean =>
  (err as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;

export async function insertOperator(
  db: Queryable,
  o: { id: string; name: string; kind: 'transit' | 'retail'; cardCode: number; at: Date },
): Promise<OperatorRow> {
  try {
    const { rows } = await db.query<OperatorRow>(
      `INSERT INTO operators (id, name, kind, card_code, created_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, name, kind, card_code, enabled, created_at`,
      [o.id, o.name, o.kind, o.cardCode, o.at],
    );
    return rows[0] as OperatorRow;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('OPERATOR_EXISTS', { details: { id: o.id } });
    throw err;
  }
}

export async function listOperators(db: Queryable): Promise<OperatorRow[]> {
  const { rows } = await db.query<OperatorRow>(
    'SELECT id, name, kind, card_code, enabled, created_at FROM operators ORDER BY id LIMIT 1000',
  );
  return rows;
}

export async function setOperatorEnabled(
  db: Queryable,
  id: string,
  enabled: boolean,
): Promise<OperatorRow> {
  const { rows } = await db.query<OperatorRow>(
    `UPDATE operators SET enabled = $2 WHERE id = $1
     RETURNING id, name, kind, card_code, enabled, created_at`,
    [id, enabled],
  );
  if (rows[0] === undefined) throw new AppError('OPERATOR_NOT_FOUND');
  return rows[0];
}

const TERMINAL_COLUMNS = `id, operator_id, status, description, mac_key_id, cert_serial, created_at,
  enrolled_at, disabled_at, retired_at`;

export async function insertTerminal(
  db: Queryable,
  t: { id: string; operatorId: string; description?: string | undefined; at: Date },
): Promise<TerminalAdminRow> {
  const operator = await db.query('SELECT 1 FROM operators WHERE id = $1', [t.operatorId]);
  if (operator.rowCount === 0) throw new AppError('OPERATOR_NOT_FOUND');
  try {
    const { rows } = await db.query<TerminalAdminRow>(
      `INSERT INTO terminals (id, operator_id, description, created_at) VALUES ($1, $2, $3, $4)
       RETURNING ${TERMINAL_COLUMNS}`,
      [t.id, t.operatorId, t.description ?? null, t.at],
    );
    return rows[0] as TerminalAdminRow;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('TERMINAL_EXISTS', { details: { id: t.id } });
    throw err;
  }
}

export async function listTerminals(
  db: Queryable,
  filter: { operatorId?: string | undefined; status?: TerminalStatus | undefined },
): Promise<TerminalAdminRow[]> {
  const { rows } = await db.query<TerminalAdminRow>(
    `SELECT ${TERMINAL_COLUMNS} FROM terminals
      WHERE ($1::text IS NULL OR operator_id = $1) AND ($2::text IS NULL OR status = $2)
      ORDER BY id LIMIT 1000`,
    [filter.operatorId ?? null, filter.status ?? null],
  );
  return rows;
}

export async function lockTerminal(db: Queryable, id: string): Promise<TerminalAdminRow> {
  const { rows } = await db.query<TerminalAdminRow>(
    `SELECT ${TERMINAL_COLUMNS} FROM terminals WHERE id = $1 FOR UPDATE`,
    [id],
  );
  if (rows[0] === undefined) throw new AppError('TERMINAL_NOT_FOUND');
  return rows[0];
}

export type TerminalCommand = 'disable' | 'enable' | 'retire';

/**
 * disable: a registered or enrolled terminal stops being heard (it keeps its key).
 * enable: a disabled terminal returns to enrolled, or to registered if it never enrolled.
 * retire: for good; its key and certificate are never accepted again.
 */
export function nextStatus(row: TerminalAdminRow, command: TerminalCommand): TerminalStatus {
  const refuse = (): never => {
    throw new AppError('TERMINAL_STATE_INVALID', { details: { status: row.status, command } });
  };
  switch (command) {
    case 'disable':
      return row.status === 'registered' || row.status === 'enrolled' ? 'disabled' : refuse();
    case 'enable':
      if (row.status !== 'disabled') return refuse();
      return row.enrolled_at === null ? 'registered' : 'enrolled';
    case 'retire':
      return row.status === 'retired' ? refuse() : 'retired';
  }
}

export async function changeTerminalStatus(
  db: Queryable,
  id: string,
  command: TerminalCommand,
  at: Date,
): Promise<TerminalAdminRow> {
  const row = await lockTerminal(db, id);
  const status = nextStatus(row, command);
  const { rows } = await db.query<TerminalAdminRow>(
    `UPDATE terminals SET status = $2,
            disabled_at = CASE WHEN $2 = 'disabled' THEN $3 ELSE disabled_at END,
            retired_at = CASE WHEN $2 = 'retired' THEN $3 ELSE retired_at END
      WHERE id = $1 RETURNING ${TERMINAL_COLUMNS}`,
    [id, status, at],
  );
  return rows[0] as TerminalAdminRow;
}

/** 32 random bytes in base64url: shown once to the admin, only its sha256 is kept. */
export async function createEnrolmentToken(
  db: Queryable,
  t: { terminalId: string; createdBy: string; at: Date; ttlHours: number },
): Promise<{ token: string; operatorId: string; expiresAt: Date }> {
  const row = await lockTerminal(db, t.terminalId);
  if (row.status !== 'registered' && row.status !== 'enrolled') {
    throw new AppError('TERMINAL_STATE_INVALID', { details: { status: row.status } });
  }
  const token = randomBytes(32).toString('base64url');
  const tokenHash = createHash('sha256').update(token).digest();
  const expiresAt = new Date(t.at.getTime() + t.ttlHours * 3_600_000);
  await db.query(
    `INSERT INTO enrolment_tokens (token_hash, operator_id, terminal_id, created_by, created_at,
       expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [tokenHash, row.operator_id, row.id, t.createdBy, t.at, expiresAt],
  );
  return { token, operatorId: row.operator_id, expiresAt };
}

export async function audit(
  db: Queryable,
  e: {
    at: Date;
    actor: { id: string; username: string };
    action: string;
    subject: string;
    details?: Record<string, unknown>;
    requestId: string;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (at, actor_id, actor_username, action, subject, details, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [e.at, e.actor.id, e.actor.username, e.action, e.subject, e.details ?? {}, e.requestId],
  );
}
