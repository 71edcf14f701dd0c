import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { StaffPrincipal } from '../auth/roles.js';

export interface ReaderAgentRow {
  readonly id: string;
  readonly counterId: string;
  readonly branchId: string;
  readonly enabled: boolean;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const COLUMNS = `a.id, a.counter_id AS "counterId", c.branch_id AS "branchId", a.enabled,
  a.created_by AS "createdBy", a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;

export async function findAgent(tx: Queryable, id: string): Promise<ReaderAgentRow | undefined> {
  const { rows } = await tx.query<ReaderAgentRow>(
    `SELECT ${COLUMNS} FROM reader_agents a JOIN counters c ON c.id = a.counter_id
     WHERE a.id = $1`,
    [id],
  );
  return rows[0];
}

export async function listAgents(tx: Queryable): Promise<ReaderAgentRow[]> {
  const { rows } = await tx.query<ReaderAgentRow>(
    `SELECT ${COLUMNS} FROM reader_agents a JOIN counters c ON c.id = a.counter_id
     ORDER BY a.id`,
  );
  return rows;
}

export async function insertAgent(
  tx: Queryable,
  agent: { id: string; counterId: string; createdBy: string; at: Date },
): Promise<void> {
  const { rowCount } = await tx.query(
    `INSERT INTO reader_agents (id, counter_id, created_by, created_at, updated_at)
     SELECT $1, $2, $3, $4, $4 WHERE EXISTS (SELECT 1 FROM counters WHERE id = $2)
     ON CONFLICT (id) DO NOTHING`,
    [agent.id, agent.counterId, agent.createdBy, agent.at],
  );
  if (rowCount === 0) {
    const exists = await findAgent(tx, agent.id);
    if (exists !== undefined)
      throw new AppError('AGENT_EXISTS', { details: { agentId: agent.id } });
    throw new AppError('NOT_FOUND', { message: 'No such counter' });
  }
}

export async function setAgentEnabled(
  tx: Queryable,
  id: string,
  enabled: boolean,
  at: Date,
): Promise<ReaderAgentRow> {
  const { rowCount } = await tx.query(
    'UPDATE reader_agents SET enabled = $2, updated_at = $3 WHERE id = $1',
    [id, enabled, at],
  );
  const row = rowCount === 0 ? undefined : await findAgent(tx, id);
  if (row === undefined) throw new AppError('AGENT_NOT_REGISTERED', { details: { agentId: id } });
  return row;
}

/** A registered, enabled agent; when staff ask, it must stand at the counter they signed in at. */
export async function requireAgentAt(
  tx: Queryable,
  agentId: string,
  staff: StaffPrincipal | null,
): Promise<ReaderAgentRow> {
  const agent = await findAgent(tx, agentId);
  if (agent === undefined) throw new AppError('AGENT_NOT_REGISTERED', { details: { agentId } });
  if (!agent.enabled) throw new AppError('AGENT_DISABLED', { details: { agentId } });
  if (staff !== null && staff.counterId !== agent.counterId) {
    throw new AppError('AGENT_OTHER_COUNTER', { details: { agentId } });
  }
  return agent;
}
