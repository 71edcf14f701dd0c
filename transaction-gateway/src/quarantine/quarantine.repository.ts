import type { Queryable } from '@citycard/core/db';
import type { Decision } from './quarantine.schemas.js';

export interface DecisionRow {
  id: string;
  terminal_id: string;
  sequence: string;
  action: 'release' | 'reject';
  note: string;
  proposed_by: string;
  proposed_by_username: string;
  proposed_at: Date;
  approved_by_username: string | null;
  approved_at: Date | null;
}

export function toDecision(row: DecisionRow): Decision {
  return {
    id: row.id,
    terminalId: row.terminal_id,
    sequence: Number(row.sequence),
    action: row.action,
    note: row.note,
    proposedBy: row.proposed_by_username,
    proposedAt: row.proposed_at.toISOString(),
    approvedBy: row.approved_by_username,
    approvedAt: row.approved_at?.toISOString() ?? null,
  };
}

const DECISION_COLUMNS = `id, terminal_id, sequence, action, note, proposed_by, proposed_by_username,
  proposed_at, approved_by_username, approved_at`;

export async function lockRecordStatus(
  db: Queryable,
  terminalId: string,
  sequence: number,
): Promise<string | undefined> {
  const { rows } = await db.query<{ status: string }>(
    'SELECT status FROM transactions WHERE terminal_id = $1 AND sequence = $2 FOR UPDATE',
    [terminalId, sequence],
  );
  return rows[0]?.status;
}

export async function insertDecision(
  db: Queryable,
  d: Omit<DecisionRow, 'approved_by_username' | 'approved_at'>,
): Promise<DecisionRow> {
  const { rows } = await db.query<DecisionRow>(
    `INSERT INTO quarantine_decisions (id, terminal_id, sequence, action, note, proposed_by,
       proposed_by_username, proposed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     RETURNING ${DECISION_COLUMNS}`,
    [
      d.id,
      d.terminal_id,
      d.sequence,
      d.action,
      d.note,
      d.proposed_by,
      d.proposed_by_username,
      d.proposed_at,
    ],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('insert returned no decision');
  return row;
}

export async function lockOpenDecision(
  db: Queryable,
  id: string,
): Promise<DecisionRow | undefined> {
  const { rows } = await db.query<DecisionRow>(
    `SELECT ${DECISION_COLUMNS} FROM quarantine_decisions
      WHERE id = $1 AND approved_at IS NULL FOR UPDATE`,
    [id],
  );
  return rows[0];
}

export async function approveDecision(
  db: Queryable,
  id: string,
  approver: { id: string; username: string },
  at: Date,
): Promise<DecisionRow> {
  const { rows } = await db.query<DecisionRow>(
    `UPDATE quarantine_decisions
        SET approved_by = $2, approved_by_username = $3, approved_at = $4
      WHERE id = $1 RETURNING ${DECISION_COLUMNS}`,
    [id, approver.id, approver.username, at],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('approval updated no decision');
  return row;
}

export async function resolveRecord(
  db: Queryable,
  r: {
    terminalId: string;
    sequence: number;
    status: 'released' | 'rejected';
    at: Date;
    businessDay: string;
  },
): Promise<void> {
  await db.query(
    `UPDATE transactions SET status = $3, resolved_at = $4, resolved_business_day = $5
      WHERE terminal_id = $1 AND sequence = $2 AND status = 'quarantined'`,
    [r.terminalId, r.sequence, r.status, r.at, r.businessDay],
  );
}

export async function audit(
  db: Queryable,
  e: {
    at: Date;
    actor: { id: string; username: string };
    action: string;
    subject: string;
    details: Record<string, unknown>;
    requestId: string;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (at, actor_id, actor_username, action, subject, details, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      e.at,
      e.actor.id,
      e.actor.username,
      e.action,
      e.subject,
      JSON.stringify(e.details),
      e.requestId,
    ],
  );
}

export interface QuarantinedRow {
  terminal_id: string;
  sequence: string;
  type: string;
  card_number: string;
  amount: string;
  occurred_at_text: string;
  received_at: Date;
  business_day: string;
  operator_id: string;
  reason: string;
  decision: DecisionRow | null;
}

/** An open decision as to_jsonb gives it: timestamps come back as text. */
function openDecisionOf(json: Record<string, unknown>): DecisionRow {
  const row = json as unknown as DecisionRow & { proposed_at: string };
  return { ...row, proposed_at: new Date(row.proposed_at), approved_at: null };
}

export async function listQuarantined(
  db: Queryable,
  q: { limit: number; terminalId?: string | undefined; reason?: string | undefined },
): Promise<QuarantinedRow[]> {
  const { rows } = await db.query<
    Omit<QuarantinedRow, 'decision'> & { decision: Record<string, unknown> | null }
  >(
    `SELECT t.terminal_id, t.sequence, t.type, t.card_number, t.amount, t.occurred_at_text,
            t.received_at, to_char(t.business_day, 'YYYY-MM-DD') AS business_day, t.operator_id,
            t.reason, to_jsonb(d) AS decision
       FROM transactions t
       LEFT JOIN quarantine_decisions d
         ON d.terminal_id = t.terminal_id AND d.sequence = t.sequence AND d.approved_at IS NULL
      WHERE t.status = 'quarantined'
        AND ($2::text IS NULL OR t.terminal_id = $2) AND ($3::text IS NULL OR t.reason = $3)
      ORDER BY t.received_at, t.terminal_id, t.sequence
      LIMIT $1`,
    [q.limit, q.terminalId ?? null, q.reason ?? null],
  );
  return rows.map((r) => ({
    ...r,
    decision: r.decision === null ? null : openDecisionOf(r.decision),
  }));
}
