import { z } from 'zod';

const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9A-F]{${bytes * 2}}$`), `${bytes} bytes as upper-case hex`);

export const blockHex = hex(16);
export const keyHex = hex(6);
export const uidHex = z
  .string()
  .regex(/^([0-9A-F]{8}|[0-9A-F]{14})$/, '4 or 7 bytes as upper-case hex');

/** 0–63 on a 1K card, up to 255 on a 4K card. */
export const blockNumber = z.number().int().min(0).max(255);

export const planStepSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('auth'),
    block: blockNumber,
    keyType: z.enum(['A', 'B']),
    key: keyHex,
    /** Tried when the card refuses `key` (recovery: the sector may carry the old or the new key). */
    fallback: z.object({ keyType: z.enum(['A', 'B']), key: keyHex }).optional(),
  }),
  z.object({
    op: z.literal('read'),
    block: blockNumber,
    /** When present the read must return exactly this (read-back check); otherwise the run stops. */
    expect: blockHex.optional(),
  }),
  z.object({ op: z.literal('write'), block: blockNumber, data: blockHex }),
]);
export type PlanStep = z.infer<typeof planStepSchema>;

export const PLAN_PURPOSES = ['personalise', 'recover', 'load', 'read', 'correct'] as const;
export type PlanPurpose = (typeof PLAN_PURPOSES)[number];

/**
 * The exact commands a reader runs on one card. A plan carries the diversified keys of that one
 * card and nothing else; it is held in memory only and never logged.
 */
export const cardPlanSchema = z.object({
  planId: z.uuid(),
  uid: uidHex,
  purpose: z.enum(PLAN_PURPOSES),
  steps: z.array(planStepSchema).min(1).max(512),
});
export type CardPlan = z.infer<typeof cardPlanSchema>;

export const STEP_STATUSES = ['done', 'failed', 'not_run'] as const;

export const stepReportSchema = z.object({
  index: z.number().int().min(0),
  op: z.enum(['auth', 'read', 'write']),
  block: blockNumber,
  status: z.enum(STEP_STATUSES),
  /** What a read returned (also when it did not match `expect`). */
  data: blockHex.optional(),
  /** Catalogue code of the failure, for a failed step. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** For an auth step: true when the fallback key was the one the card took. */
  usedFallback: z.boolean().optional(),
});
export type StepReport = z.infer<typeof stepReportSchema>;

export const PLAN_OUTCOMES = [
  'completed',
  'card_removed',
  'readback_mismatch',
  'auth_failed',
  'access_denied',
  'wrong_card',
  'failed',
] as const;
export type PlanOutcome = (typeof PLAN_OUTCOMES)[number];

/**
 * What happened, step by step. `completedSteps` counts the leading steps that are done; with a
 * `card_removed` outcome the step at that index may or may not have reached the card (a write in
 * flight when the card left), which is what the issuing service resolves from the next read.
 */
export const planReportSchema = z.object({
  planId: z.uuid(),
  uid: uidHex,
  outcome: z.enum(PLAN_OUTCOMES),
  completedSteps: z.number().int().min(0),
  steps: z.array(stepReportSchema),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
});
export type PlanReport = z.infer<typeof planReportSchema>;
