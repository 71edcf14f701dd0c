import { randomUUID } from 'node:crypto';
import type { PlanPurpose, PlanReport } from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { ReportAnswer } from './agent.schemas.js';

export type PlanStatus = 'pending' | 'accepted' | 'rejected' | 'uncertain';

export interface PlanRow {
  readonly id: string;
  readonly cardId: string;
  readonly uid: string;
  readonly agentId: string;
  readonly counterId: string;
  readonly purpose: PlanPurpose;
  readonly keyVersion: number;
  readonly spec: Record<string, unknown>;
  readonly createdBy: string | null;
  readonly requestId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly status: PlanStatus;
  readonly fetchCount: number;
  readonly firstFetchedAt: Date | null;
  readonly report: PlanReport | null;
  readonly reportHash: string | null;
  readonly answer: ReportAnswer | null;
  readonly reportedAt: Date | null;
}

/** What a caller gives for a new plan; the rest of a row comes from the fetch and the report. */
export type NewPlan = Pick<
  PlanRow,
  | 'cardId'
  | 'uid'
  | 'agentId'
  | 'counterId'
  | 'purpose'
  | 'keyVersion'
  | 'spec'
  | 'createdBy'
  | 'requestId'
  | 'createdAt'
  | 'expiresAt'
>;

const COLUMNS = `id, card_id AS "cardId", uid, agent_id AS "agentId", counter_id AS "counterId",
  purpose, key_version AS "keyVersion", spec, created_by AS "createdBy",
  request_id AS "requestId", created_at AS "createdAt", expires_at AS "expiresAt", status,
  fetch_count AS "fetchCount", first_fetched_at AS "firstFetchedAt", report,
  report_hash AS "reportHash", answer, reported_at AS "reportedAt"`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function insertPlan(tx: Queryable, plan: NewPlan): Promise<PlanRow> {
  const { rows } = await tx.query<PlanRow>(
    `INSERT INTO card_plans (id, card_id, uid, agent_id, counter_id, purpose, key_version, spec,
       created_by, request_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     RETURNING ${COLUMNS}`,
    [
      randomUUID(),
      plan.cardId,
      plan.uid,
      plan.agentId,
      plan.counterId,
      plan.purpose,
      plan.keyVersion,
      JSON.stringify(plan.spec),
      plan.createdBy,
      plan.requestId,
      plan.createdAt,
      plan.expiresAt,
    ],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('card_plans insert returned no row');
  return row;
}

export async function findPlan(
  tx: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<PlanRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const lock = options.forUpdate === true ? ' FOR UPDATE' : '';
  const { rows } = await tx.query<PlanRow>(
    `SELECT ${COLUMNS} FROM card_plans WHERE id = $1${lock}`,
    [id],
  );
  return rows[0];
}

export async function requirePlan(
  tx: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<PlanRow> {
  const plan = await findPlan(tx, id, options);
  if (plan === undefined) throw new AppError('PLAN_NOT_FOUND', { details: { planId: id } });
  return plan;
}

export async function markFetched(tx: Queryable, id: string, at: Date): Promise<void> {
  await tx.query(
    `UPDATE card_plans SET fetch_count = fetch_count + 1,
       first_fetched_at = COALESCE(first_fetched_at, $2)
     WHERE id = $1`,
    [id, at],
  );
}

export async function recordReport(
  tx: Queryable,
  id: string,
  report: PlanReport,
  reportHash: string,
  answer: ReportAnswer,
  at: Date,
): Promise<void> {
  await tx.query(
    `UPDATE card_plans SET status = $2, report = $3, report_hash = $4, answer = $5,
       reported_at = $6
     WHERE id = $1 AND status = 'pending'`,
    [id, answer.status, JSON.stringify(report), reportHash, JSON.stringify(answer), at],
  );
}

/** The plans made for a card, newest first, without their reports. */
export async function listPlansOfCard(tx: Queryable, cardId: string): Promise<PlanRow[]> {
  const { rows } = await tx.query<PlanRow>(
    `SELECT ${COLUMNS} FROM card_plans WHERE card_id = $1 ORDER BY created_at DESC, id`,
    [cardId],
  );
  return rows;
}
