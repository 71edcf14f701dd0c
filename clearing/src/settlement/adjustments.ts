import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { Amount } from '@citycard/core/money';
import { appendAudit } from './audit-log.js';
import { lockRun } from './settlement.repository.js';

export interface AdjustmentInput {
  readonly operatorId: string;
  /** Signed: positive, the issuer owes the operator more. */
  readonly amount: Amount;
  readonly reason: string;
  readonly sourceRunId?: string;
  readonly actor: string;
  readonly now: Date;
}

/** A correction of an earlier run, for the next run to pick up exactly once; audited. */
export function recordAdjustment(pool: pg.Pool, input: AdjustmentInput): Promise<{ id: string }> {
  if (input.amount.isZero()) {
    throw new AppError('VALIDATION_FAILED', { message: 'An adjustment moves a non-zero amount' });
  }
  return withTransaction(pool, async (tx) => {
    const source =
      input.sourceRunId === undefined
        ? null
        : await lockRun(tx, { runId: input.sourceRunId }, false);
    const id = randomUUID();
    await tx.query(
      `INSERT INTO clearing.adjustments
         (id, operator_id, amount, reason, source_run_id, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        id,
        input.operatorId,
        input.amount.toString(),
        input.reason,
        source?.id ?? null,
        input.actor,
        input.now,
      ],
    );
    await appendAudit(tx, {
      at: input.now,
      actor: input.actor,
      action: 'settlement.adjustment',
      runId: source?.id ?? null,
      day: source?.day ?? null,
      details: { adjustmentId: id, operatorId: input.operatorId, amount: input.amount.toString() },
    });
    return { id };
  });
}
