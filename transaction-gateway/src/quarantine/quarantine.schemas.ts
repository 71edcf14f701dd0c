import { z } from 'zod';
import { idString, sequenceNumber } from '@citycard/terminal-sdk/protocol';

export const quarantineQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  terminalId: idString.optional(),
  reason: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/)
    .optional(),
});

export const recordParamsSchema = z.strictObject({
  terminalId: idString,
  sequence: z.coerce.number().pipe(sequenceNumber),
});

export const decisionParamsSchema = z.strictObject({ id: z.uuid() });

export const proposeSchema = z.strictObject({
  action: z.enum(['release', 'reject']),
  note: z.string().trim().min(1).max(500),
});

export const decisionSchema = z.object({
  id: z.uuid(),
  terminalId: z.string(),
  sequence: z.number(),
  action: z.enum(['release', 'reject']),
  note: z.string(),
  proposedBy: z.string(),
  proposedAt: z.string(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
});
export type Decision = z.infer<typeof decisionSchema>;

export const quarantinedRecordSchema = z.object({
  terminalId: z.string(),
  sequence: z.number(),
  type: z.string(),
  cardNumber: z.string(),
  amount: z.string(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  businessDay: z.string(),
  operatorId: z.string(),
  reason: z.string(),
  openDecision: decisionSchema.nullable(),
});

export const quarantineListSchema = z.object({ records: z.array(quarantinedRecordSchema) });
