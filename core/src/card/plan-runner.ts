import { AppError, isAppError, type ErrorCode } from '../errors/index.js';
import { BLOCK_SIZE, hex } from './bytes.js';
import {
  cardPlanSchema,
  type CardPlan,
  type PlanOutcome,
  type PlanReport,
  type PlanStep,
  type StepReport,
} from './plan.js';
import type { ClassicCardIo, KeyType } from './types.js';

export interface RunPlanOptions {
  now?: () => Date;
  signal?: AbortSignal;
}

type StepResult =
  | { ok: true; data?: string; usedFallback?: boolean }
  | { ok: false; code: ErrorCode; message: string; data?: string };

const OUTCOME_OF: Partial<Record<ErrorCode, PlanOutcome>> = {
  CARD_REMOVED: 'card_removed',
  CARD_AUTH_FAILED: 'auth_failed',
  CARD_ACCESS_DENIED: 'access_denied',
  CARD_READBACK_MISMATCH: 'readback_mismatch',
};

function failure(error: unknown): StepResult & { ok: false } {
  if (isAppError(error)) return { ok: false, code: error.code, message: error.message };
  // Not a card error: keep whatever it said out of the report, it may carry anything.
  const fallback = new AppError('CARD_COMMAND_FAILED');
  return { ok: false, code: fallback.code, message: fallback.message };
}

async function authWith(card: ClassicCardIo, block: number, keyType: KeyType, keyHex: string) {
  const key = Buffer.from(keyHex, 'hex');
  try {
    await card.authenticate(block, keyType, key);
  } finally {
    key.fill(0);
  }
}

async function runAuth(card: ClassicCardIo, step: PlanStep & { op: 'auth' }): Promise<StepResult> {
  try {
    await authWith(card, step.block, step.keyType, step.key);
    return step.fallback ? { ok: true, usedFallback: false } : { ok: true };
  } catch (error) {
    const refused = isAppError(error) && error.code === 'CARD_AUTH_FAILED';
    if (!refused || step.fallback === undefined) return failure(error);
  }
  try {
    await authWith(card, step.block, step.fallback.keyType, step.fallback.key);
    return { ok: true, usedFallback: true };
  } catch (error) {
    return failure(error);
  }
}

async function runRead(card: ClassicCardIo, step: PlanStep & { op: 'read' }): Promise<StepResult> {
  let data: Buffer;
  try {
    data = await card.readBlock(step.block);
  } catch (error) {
    return failure(error);
  }
  if (data.length !== BLOCK_SIZE) {
    return { ok: false, code: 'CARD_COMMAND_FAILED', message: 'The card returned a short block' };
  }
  const got = hex(data);
  if (step.expect !== undefined && got !== step.expect) {
    const mismatch = new AppError('CARD_READBACK_MISMATCH');
    return { ok: false, code: mismatch.code, message: mismatch.message, data: got };
  }
  return { ok: true, data: got };
}

async function runWrite(
  card: ClassicCardIo,
  step: PlanStep & { op: 'write' },
): Promise<StepResult> {
  const data = Buffer.from(step.data, 'hex');
  try {
    await card.writeBlock(step.block, data);
    return { ok: true };
  } catch (error) {
    return failure(error);
  } finally {
    // A trailer write carries keys.
    data.fill(0);
  }
}

function runStep(card: ClassicCardIo, step: PlanStep): Promise<StepResult> {
  switch (step.op) {
    case 'auth':
      return runAuth(card, step);
    case 'read':
      return runRead(card, step);
    case 'write':
      return runWrite(card, step);
  }
}

function toReport(index: number, step: PlanStep, result: StepResult): StepReport {
  const base = { index, op: step.op, block: step.block };
  if (result.ok) {
    return {
      ...base,
      status: 'done',
      ...(result.data !== undefined && { data: result.data }),
      ...(result.usedFallback !== undefined && { usedFallback: result.usedFallback }),
    };
  }
  return {
    ...base,
    status: 'failed',
    error: { code: result.code, message: result.message },
    ...(result.data !== undefined && { data: result.data }),
  };
}

function parsePlan(plan: CardPlan): CardPlan {
  const parsed = cardPlanSchema.safeParse(plan);
  if (!parsed.success) {
    // Only the paths: the values of a plan include keys.
    const paths = parsed.error.issues.map((i) => i.path.join('.'));
    throw new AppError('PLAN_INVALID', { details: { paths } });
  }
  return parsed.data;
}

/**
 * Runs a plan's steps in order on one card and reports each. Stops at the first failure; a card
 * error never throws (only a malformed plan does, with PLAN_INVALID).
 */
export async function runPlan(
  card: ClassicCardIo,
  plan: CardPlan,
  options: RunPlanOptions = {},
): Promise<PlanReport> {
  const checked = parsePlan(plan);
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const steps: StepReport[] = checked.steps.map((s, index) => ({
    index,
    op: s.op,
    block: s.block,
    status: 'not_run',
  }));
  const outcome: PlanOutcome =
    hex(card.identity.uid) === checked.uid
      ? await runSteps(card, checked.steps, steps, options.signal)
      : 'wrong_card';
  let completedSteps = 0;
  while (steps[completedSteps]?.status === 'done') completedSteps++;
  return {
    planId: checked.planId,
    uid: checked.uid,
    outcome,
    completedSteps,
    steps,
    startedAt,
    finishedAt: now().toISOString(),
  };
}

async function runSteps(
  card: ClassicCardIo,
  planSteps: readonly PlanStep[],
  reports: StepReport[],
  signal: AbortSignal | undefined,
): Promise<PlanOutcome> {
  for (const [index, step] of planSteps.entries()) {
    if (signal?.aborted === true) {
      const stopped = new AppError('PLAN_ABORTED');
      reports[index] = toReport(index, step, {
        ok: false,
        code: stopped.code,
        message: stopped.message,
      });
      return 'failed';
    }
    const result = await runStep(card, step);
    reports[index] = toReport(index, step, result);
    if (!result.ok) return OUTCOME_OF[result.code] ?? 'failed';
  }
  return 'completed';
}
