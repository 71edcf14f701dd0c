import type pg from 'pg';
import { withTransaction, type Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { getParty } from '../parties/party.repository.js';
import { appendAudit } from '../settlement/audit-log.js';
import {
  createFeeSchedule,
  createSubsidyRule,
  listFeeSchedules,
  listSubsidyRules,
} from './fee.repository.js';
import {
  feeScheduleInput,
  subsidyRuleInput,
  type FeeScheduleInput,
  type SubsidyRuleInput,
} from './fee.schemas.js';
import type { FeeSchedule, SubsidyRule } from './fee.types.js';
import { conflictingPeriods, type EffectivePeriod } from './overlap.js';

export interface Actor {
  readonly actor: string;
  readonly now: Date;
}

function invalid(path: string, message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('FEE_SCHEDULE_INVALID', {
    message,
    details: { ...details, issues: [{ path, message }] },
  });
}

/** Rules name operators clearing settles with: a party of kind operator. */
async function requireOperator(tx: Queryable, operatorId: string): Promise<void> {
  const party = await getParty(tx, operatorId).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'PARTY_NOT_FOUND') {
      throw new AppError('PARTY_NOT_FOUND', {
        message: `No clearing party ${operatorId}: record the operator first`,
        details: { partyId: operatorId, issues: [{ path: 'body.operatorId', message: 'unknown' }] },
      });
    }
    throw err;
  });
  if (party.kind !== 'operator') throw invalid('body.operatorId', 'Not an operator');
}

function refuseOverlap(
  existing: readonly (EffectivePeriod & { id: string; version: number })[],
  candidate: EffectivePeriod,
): void {
  const clash = conflictingPeriods(existing, candidate);
  const first = clash[0];
  if (first === undefined) return;
  throw invalid(
    'body.effectiveFrom',
    `The effective period overlaps version ${first.version} ` +
      `(${first.effectiveFrom} to ${first.effectiveTo ?? 'open'})`,
    {
      overlaps: clash.map((c) => ({
        id: c.id,
        version: c.version,
        effectiveFrom: c.effectiveFrom,
        effectiveTo: c.effectiveTo,
      })),
    },
  );
}

/** Serialises writers of one rule family, so the overlap check sees every committed version. */
async function lockRules(tx: Queryable, key: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`clearing.rules:${key}`]);
}

/**
 * A new fee schedule version from the API: for a recorded operator, not overlapping another
 * version ambiguously, written with its audit row in one transaction.
 */
export function addFeeSchedule(
  pool: pg.Pool,
  input: FeeScheduleInput,
  who: Actor,
): Promise<FeeSchedule> {
  const s = feeScheduleInput.parse(input);
  return withTransaction(pool, async (tx) => {
    await requireOperator(tx, s.operatorId);
    await lockRules(tx, `fee:${s.operatorId}`);
    refuseOverlap(await listFeeSchedules(tx, s.operatorId), {
      effectiveFrom: s.effectiveFrom,
      effectiveTo: s.effectiveTo ?? null,
    });
    const made = await createFeeSchedule(tx, s, { by: who.actor, now: who.now });
    await appendAudit(tx, {
      at: who.now,
      actor: who.actor,
      action: 'fees.schedule_create',
      runId: null,
      day: null,
      details: {
        feeScheduleId: made.id,
        operatorId: made.operatorId,
        version: made.version,
        effectiveFrom: made.effectiveFrom,
        effectiveTo: made.effectiveTo,
      },
    });
    return made;
  });
}

/** A new subsidy rule version from the API, checked and audited as fee schedules are. */
export function addSubsidyRule(
  pool: pg.Pool,
  input: SubsidyRuleInput,
  who: Actor,
): Promise<SubsidyRule> {
  const s = subsidyRuleInput.parse(input);
  return withTransaction(pool, async (tx) => {
    if (s.operatorId !== null) await requireOperator(tx, s.operatorId);
    await lockRules(tx, `subsidy:${s.operatorId ?? '*'}:${s.riderCategoryId}`);
    const same = (await listSubsidyRules(tx)).filter(
      (r) => r.operatorId === s.operatorId && r.riderCategoryId === s.riderCategoryId,
    );
    refuseOverlap(same, { effectiveFrom: s.effectiveFrom, effectiveTo: s.effectiveTo ?? null });
    const made = await createSubsidyRule(tx, s, { by: who.actor, now: who.now });
    await appendAudit(tx, {
      at: who.now,
      actor: who.actor,
      action: 'fees.subsidy_rule_create',
      runId: null,
      day: null,
      details: {
        subsidyRuleId: made.id,
        operatorId: made.operatorId,
        riderCategoryId: made.riderCategoryId,
        version: made.version,
        rate: made.rate.toString(),
        effectiveFrom: made.effectiveFrom,
        effectiveTo: made.effectiveTo,
      },
    });
    return made;
  });
}
