import type { Queryable } from '@citycard/core/db';

export type AttemptOutcome = 'written' | 'not_written' | 'unknown';

export interface AttemptRow {
  readonly planId: string;
  readonly loadId: string;
  readonly seq: number;
  readonly readPlanId: string;
  readonly agentId: string;
  /** bigint column, read as a number: a purse counter is a u32. */
  readonly counterBefore: number;
  readonly balanceBefore: string;
  readonly balanceAfter: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly outcome: AttemptOutcome | null;
  readonly reportedAt: Date | null;
}

// A purse counter is a u32: float8 holds it exactly, and pg hands it over as a number.
const ATTEMPT_COLUMNS = `a.plan_id AS "planId", a.load_id AS "loadId", a.seq,
  a.read_plan_id AS "readPlanId", a.agent_id AS "agentId",
  a.counter_before::float8 AS "counterBefore", a.balance_before::text AS "balanceBefore",
  a.balance_after::text AS "balanceAfter", a.created_at AS "createdAt",
  a.expires_at AS "expiresAt", a.outcome, a.reported_at AS "reportedAt"`;

export interface NewAttempt {
  readonly planId: string;
  readonly loadId: string;
  readonly readPlanId: string;
  readonly agentId: string;
  readonly counterBefore: number;
  readonly balanceBefore: string;
  readonly balanceAfter: string;
  readonly expectRecord: string;
  readonly historyAt: number;
  readonly terminalRef: number;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export async function insertAttempt(tx: Queryable, a: NewAttempt): Promise<AttemptRow> {
  const { rows } = await tx.query<AttemptRow>(
    `INSERT INTO load_attempts AS a (plan_id, load_id, seq, read_plan_id, agent_id, counter_before,
       balance_before, balance_after, expect_record, history_at, terminal_ref, created_at,
       expires_at)
     SELECT $1, $2, COALESCE(max(seq), 0) + 1, $3, $4, $5, $6::numeric, $7::numeric, $8, $9,
       $10, $11, $12
     FROM load_attempts WHERE load_id = $2
     RETURNING ${ATTEMPT_COLUMNS}`,
    [
      a.planId,
      a.loadId,
      a.readPlanId,
      a.agentId,
      a.counterBefore,
      a.balanceBefore,
      a.balanceAfter,
      a.expectRecord,
      a.historyAt,
      a.terminalRef,
      a.createdAt,
      a.expiresAt,
    ],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('load_attempts insert returned no row');
  return row;
}

export async function attemptOfPlan(
  tx: Queryable,
  planId: string,
): Promise<AttemptRow | undefined> {
  const { rows } = await tx.query<AttemptRow>(
    `SELECT ${ATTEMPT_COLUMNS} FROM load_attempts a WHERE a.plan_id = $1`,
    [planId],
  );
  return rows[0];
}

export async function attemptsOfLoad(tx: Queryable, loadId: string): Promise<AttemptRow[]> {
  const { rows } = await tx.query<AttemptRow>(
    `SELECT ${ATTEMPT_COLUMNS} FROM load_attempts a WHERE a.load_id = $1 ORDER BY a.seq`,
    [loadId],
  );
  return rows;
}

export async function latestAttempt(tx: Queryable, loadId: string): Promise<AttemptRow> {
  const { rows } = await tx.query<AttemptRow>(
    `SELECT ${ATTEMPT_COLUMNS} FROM load_attempts a WHERE a.load_id = $1
     ORDER BY a.seq DESC LIMIT 1`,
    [loadId],
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`load ${loadId} has no attempt`);
  return row;
}

/** When the card's newest load plan was made: a read older than that no longer shows the purse. */
export async function lastAttemptAt(tx: Queryable, cardId: string): Promise<Date | null> {
  const { rows } = await tx.query<{ at: Date | null }>(
    `SELECT max(a.created_at) AS at FROM load_attempts a JOIN loads l ON l.id = a.load_id
     WHERE l.card_id = $1`,
    [cardId],
  );
  return rows[0]?.at ?? null;
}

/** The first report decides an attempt's outcome; a repeat never changes it. */
export async function setAttemptOutcome(
  tx: Queryable,
  planId: string,
  outcome: AttemptOutcome,
  at: Date,
): Promise<void> {
  await tx.query(
    `UPDATE load_attempts SET outcome = $2, reported_at = $3
     WHERE plan_id = $1 AND outcome IS NULL`,
    [planId, outcome, at],
  );
}
