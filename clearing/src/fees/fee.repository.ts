import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { Rate, parseAmount } from '@citycard/core/money';
import { inForce } from './commission.js';
import {
  feeScheduleInput,
  subsidyRuleInput,
  type FeeScheduleInput,
  type SubsidyRuleInput,
} from './fee.schemas.js';
import type { FeeSchedule, SubsidyRule } from './fee.types.js';

interface Author {
  readonly by: string;
  readonly now: Date;
}

function parsed<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new AppError('FEE_SCHEDULE_INVALID', {
    details: {
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}

function versionTaken(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505';
}

/** A new version of an operator's fee schedule (the previous ones stay, as evidence). */
export async function createFeeSchedule(
  db: Queryable,
  input: FeeScheduleInput,
  author: Author,
): Promise<FeeSchedule> {
  const s = parsed(feeScheduleInput, input);
  const id = randomUUID();
  try {
    await db.query(
      `WITH s AS (
         INSERT INTO clearing.fee_schedules (id, operator_id, version, effective_from, effective_to,
                                             fixed_fee, daily_min, daily_max, created_by, created_at)
         SELECT $1, $2, COALESCE(max(version), 0) + 1, $3, $4, $5, $6, $7, $8, $9
           FROM clearing.fee_schedules WHERE operator_id = $2
         RETURNING id
       )
       INSERT INTO clearing.fee_rates (schedule_id, transaction_type, rate)
       SELECT s.id, r.type, r.rate FROM s, unnest($10::text[], $11::numeric[]) AS r(type, rate)`,
      [
        id,
        s.operatorId,
        s.effectiveFrom,
        s.effectiveTo ?? null,
        s.fixedFee,
        s.dailyMin ?? null,
        s.dailyMax ?? null,
        author.by,
        author.now,
        Object.keys(s.rates),
        Object.values(s.rates),
      ],
    );
  } catch (err) {
    if (versionTaken(err)) throw new AppError('FEE_SCHEDULE_VERSION_EXISTS', { cause: err });
    throw err;
  }
  const schedules = await listFeeSchedules(db, s.operatorId);
  const made = schedules.find((x) => x.id === id);
  if (made === undefined) throw new Error('fee schedule vanished after insert');
  return made;
}

interface ScheduleRow {
  id: string;
  operator_id: string;
  version: number;
  effective_from: string;
  effective_to: string | null;
  fixed_fee: string;
  daily_min: string | null;
  daily_max: string | null;
  rates: [string, string][] | null;
}

function scheduleOf(r: ScheduleRow): FeeSchedule {
  const rates: Record<string, Rate> = {};
  for (const [type, rate] of r.rates ?? []) rates[type] = Rate.parse(rate);
  return {
    id: r.id,
    operatorId: r.operator_id,
    version: r.version,
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
    fixedFee: parseAmount(r.fixed_fee),
    dailyMin: r.daily_min === null ? null : parseAmount(r.daily_min),
    dailyMax: r.daily_max === null ? null : parseAmount(r.daily_max),
    rates,
  };
}

/** Every version, of one operator or of all, oldest first. */
export async function listFeeSchedules(db: Queryable, operatorId?: string): Promise<FeeSchedule[]> {
  const { rows } = await db.query<ScheduleRow>(
    `SELECT s.id, s.operator_id, s.version, s.effective_from::text, s.effective_to::text,
            s.fixed_fee::text, s.daily_min::text, s.daily_max::text,
            (SELECT json_agg(json_build_array(r.transaction_type, r.rate::text)
                             ORDER BY r.transaction_type)
               FROM clearing.fee_rates r WHERE r.schedule_id = s.id) AS rates
       FROM clearing.fee_schedules s
      WHERE $1::text IS NULL OR s.operator_id = $1
      ORDER BY s.operator_id, s.version`,
    [operatorId ?? null],
  );
  return rows.map(scheduleOf);
}

/** Per operator, the schedule in force on `day` (operators without one get no commission). */
export async function feeSchedulesInForce(
  db: Queryable,
  day: string,
): Promise<Map<string, FeeSchedule>> {
  const byOperator = new Map<string, FeeSchedule[]>();
  for (const s of await listFeeSchedules(db)) {
    byOperator.set(s.operatorId, [...(byOperator.get(s.operatorId) ?? []), s]);
  }
  const result = new Map<string, FeeSchedule>();
  for (const [operatorId, list] of byOperator) {
    const chosen = inForce(list, day);
    if (chosen !== undefined) result.set(operatorId, chosen);
  }
  return result;
}

export async function createSubsidyRule(
  db: Queryable,
  input: SubsidyRuleInput,
  author: Author,
): Promise<SubsidyRule> {
  const s = parsed(subsidyRuleInput, input);
  const id = randomUUID();
  try {
    await db.query(
      `INSERT INTO clearing.subsidy_rules (id, operator_id, rider_category_id, version, rate,
                                           effective_from, effective_to, created_by, created_at)
       SELECT $1, $2, $3, COALESCE(max(version), 0) + 1, $4, $5, $6, $7, $8
         FROM clearing.subsidy_rules
        WHERE COALESCE(operator_id, '') = COALESCE($2, '') AND rider_category_id = $3`,
      [
        id,
        s.operatorId,
        s.riderCategoryId,
        s.rate,
        s.effectiveFrom,
        s.effectiveTo ?? null,
        author.by,
        author.now,
      ],
    );
  } catch (err) {
    if (versionTaken(err)) throw new AppError('FEE_SCHEDULE_VERSION_EXISTS', { cause: err });
    throw err;
  }
  const made = (await listSubsidyRules(db)).find((r) => r.id === id);
  if (made === undefined) throw new Error('subsidy rule vanished after insert');
  return made;
}

interface SubsidyRow {
  id: string;
  operator_id: string | null;
  rider_category_id: string;
  version: number;
  rate: string;
  effective_from: string;
  effective_to: string | null;
}

export async function listSubsidyRules(db: Queryable): Promise<SubsidyRule[]> {
  const { rows } = await db.query<SubsidyRow>(
    `SELECT id, operator_id, rider_category_id, version, rate::text, effective_from::text,
            effective_to::text
       FROM clearing.subsidy_rules ORDER BY rider_category_id, operator_id NULLS FIRST, version`,
  );
  return rows.map((r) => ({
    id: r.id,
    operatorId: r.operator_id,
    riderCategoryId: r.rider_category_id,
    version: r.version,
    rate: Rate.parse(r.rate),
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
  }));
}
