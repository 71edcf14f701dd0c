import { z } from 'zod';

/** What the back office makes of a card it has just read, as the agent API answers it. */
export const cardSnapshot = z.object({
  cardId: z.uuid(),
  cardNumberMasked: z.string().nullable(),
  uid: z.string(),
  state: z.string(),
  product: z.string().nullable(),
  /** The purse on the card; null when it does not decode (see mismatch). */
  balance: z.string().nullable(),
  shadowBalance: z.string(),
  purseCounter: z.number().int().nullable(),
  uncertainLoadsResolved: z.number().int().min(0),
  /** The card's purse and the shadow balance disagree, or the purse does not verify. */
  mismatch: z.boolean(),
});
export type CardSnapshot = z.infer<typeof cardSnapshot>;

export const REPORT_STATUSES = ['accepted', 'rejected', 'uncertain'] as const;

export const reportAnswer = z.object({
  planId: z.uuid(),
  status: z.enum(REPORT_STATUSES),
  card: cardSnapshot.optional(),
  message: z.string().optional(),
});
export type ReportAnswer = z.infer<typeof reportAnswer>;

export const agentId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/);

export const registerAgentBody = z.object({ id: agentId, counterId: z.uuid() }).strict();
export const agentIdParams = z.object({ id: agentId });

export const agentResult = z.object({
  id: z.string(),
  counterId: z.uuid(),
  branchId: z.uuid(),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const agentList = z.object({ items: z.array(agentResult) });

export const planIdParams = z.object({ planId: z.uuid() });
export const planUidQuery = z.object({
  uid: z
    .string()
    .regex(/^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{14})$/)
    .transform((s) => s.toUpperCase()),
});
export const readBody = planUidQuery.strict();
