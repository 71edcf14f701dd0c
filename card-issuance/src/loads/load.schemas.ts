import { nonNegativeAmountString } from '@citycard/core/money';
import { z } from 'zod';
import { agentId } from '../agent/agent.schemas.js';
import { reasonText } from '../cards/card.schemas.js';
import type { AttemptRow } from './load-attempt.repository.js';
import { LOAD_STATES, type LoadEventRow, type LoadRow } from './load.repository.js';

export const loadIdParams = z.object({ id: z.uuid() });

export const orderBody = z
  .object({ amount: nonNegativeAmountString, agentId, readPlanId: z.uuid() })
  .strict();
export const retryBody = z.object({ agentId, readPlanId: z.uuid() }).strict();
export const reviewBody = z
  .object({ decision: z.enum(['applied', 'not_applied']), reason: reasonText })
  .strict();
export const loadListQuery = z.object({ status: z.enum(LOAD_STATES).optional() }).strict();

const loadState = z.enum(LOAD_STATES);

export const loadResult = z.object({
  id: z.uuid(),
  cardId: z.uuid(),
  amount: z.string(),
  state: loadState,
  /** null: a balance transfer written onto the card, which took no cash. */
  drawerId: z.uuid().nullable(),
  transferId: z.uuid().nullable(),
  staffId: z.uuid(),
  businessDay: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.int(),
});
export type LoadResult = z.infer<typeof loadResult>;

/** What the console hands the reader agent: the plan to fetch, for the card with this UID. */
export const orderResult = z.object({
  loadId: z.uuid(),
  planId: z.uuid(),
  uid: z.string(),
  expiresAt: z.string(),
  load: loadResult,
});

const attemptResult = z.object({
  planId: z.uuid(),
  seq: z.int(),
  readPlanId: z.uuid(),
  agentId: z.string(),
  counterBefore: z.number().int(),
  balanceBefore: z.string(),
  balanceAfter: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  outcome: z.enum(['written', 'not_written', 'unknown']).nullable(),
});

const eventResult = z.object({
  seq: z.int(),
  fromState: loadState.nullable(),
  toState: loadState,
  cause: z.string(),
  planId: z.uuid().nullable(),
  staffId: z.uuid().nullable(),
  note: z.string().nullable(),
  at: z.string(),
});

export const loadDetail = loadResult.extend({
  attempts: z.array(attemptResult),
  events: z.array(eventResult),
});
export const loadList = z.object({ items: z.array(loadResult) });

export const limitsResult = z.object({ perLoadMax: z.string(), dailyMaxPerCard: z.string() });
export const limitsBody = z
  .object({ perLoadMax: nonNegativeAmountString, dailyMaxPerCard: nonNegativeAmountString })
  .strict();

export function toLoadResult(l: LoadRow): LoadResult {
  return {
    id: l.id,
    cardId: l.cardId,
    amount: l.amount,
    state: l.state,
    drawerId: l.drawerId,
    transferId: l.transferId,
    staffId: l.staffId,
    businessDay: l.businessDay,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
    version: l.version,
  };
}

export function toLoadDetail(l: LoadRow, attempts: AttemptRow[], events: LoadEventRow[]) {
  return {
    ...toLoadResult(l),
    attempts: attempts.map((a) => ({
      planId: a.planId,
      seq: a.seq,
      readPlanId: a.readPlanId,
      agentId: a.agentId,
      counterBefore: a.counterBefore,
      balanceBefore: a.balanceBefore,
      balanceAfter: a.balanceAfter,
      createdAt: a.createdAt.toISOString(),
      expiresAt: a.expiresAt.toISOString(),
      outcome: a.outcome,
    })),
    events: events.map((e) => ({ ...e, at: e.at.toISOString() })),
  };
}
