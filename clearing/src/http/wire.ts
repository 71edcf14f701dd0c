import { z } from 'zod';
import { isAmount } from '@citycard/core/money';
import { isCalendarDay } from '../jobs/business-day.js';

/** Amounts become two-place strings and dates ISO strings, at every depth. */
export function toWire(value: unknown): unknown {
  if (isAmount(value)) return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}

export const dayParam = z.string().refine(isCalendarDay, 'a business day, YYYY-MM-DD');
export const uuidParam = z.uuid();
const amount = z.string();

const runLine = z.object({
  operatorId: z.string(),
  count: z.number(),
  gross: amount,
  commission: amount,
  subsidy: amount,
  adjustments: amount,
  net: amount,
  lateCount: z.number(),
  lateGross: amount,
  feeScheduleId: z.string().nullable(),
  feeScheduleVersion: z.number().nullable(),
  byType: z.array(
    z.object({ type: z.string(), count: z.number(), gross: amount, commission: amount }),
  ),
});

const tally = z.object({ count: z.number(), amount });

const floatDetail = z.object({
  source: z.string(),
  cut: z.string(),
  inCut: z.object({ terminal: amount, loads: amount, other: amount }),
  clearedGross: amount,
  clearedNotShadowPosted: amount,
  unexplained: amount,
  outsideCut: z.object({
    terminalNotCleared: tally,
    loadsNotCleared: tally,
    afterCut: tally,
    corrections: tally,
  }),
});

export const runSummarySchema = z.object({
  id: z.string(),
  day: z.string(),
  status: z.string(),
  cutoff: z.string(),
  startedBy: z.string(),
  startedAt: z.string(),
  inputHash: z.string(),
  outputHash: z.string(),
  ruleVersions: z.record(z.string(), z.unknown()),
  transactionCount: z.number(),
  totalGross: amount,
  totalCommission: amount,
  totalSubsidy: amount,
  totalNet: amount,
  floatCheck: z.object({
    ledgerFloat: amount,
    shadowTotal: amount,
    difference: amount,
    ok: z.boolean(),
    detail: floatDetail.nullable(),
  }),
  supersedes: z.string().nullable(),
});

export const runDetailSchema = runSummarySchema.extend({
  lines: z.array(runLine),
  subsidies: z.array(z.record(z.string(), z.unknown())),
  positions: z.array(z.object({ partyId: z.string(), kind: z.string(), position: amount })),
  issuance: z.record(z.string(), z.union([z.string(), z.number()])),
});

const runHead = z.object({
  id: z.string(),
  day: z.string(),
  status: z.string(),
  startedBy: z.string(),
  outputHash: z.string(),
});

const counts = z.object({
  matched: z.number(),
  difference: z.number(),
  rejected: z.number(),
  unmatched: z.number(),
  missing: z.number(),
});

export const settlementSchema = z.object({
  run: runHead,
  allowedActions: z.array(z.string()),
  paymentFile: z
    .object({
      id: z.string(),
      count: z.number(),
      total: amount,
      sha256: z.string(),
      createdBy: z.string(),
      createdAt: z.string(),
    })
    .nullable(),
  confirmations: z.array(
    z.object({
      id: z.string(),
      bankConfirmationId: z.string(),
      clean: z.boolean(),
      accepted: z.boolean(),
      counts,
      importedBy: z.string(),
      importedAt: z.string(),
    }),
  ),
  audit: z.array(
    z.object({
      seq: z.number(),
      at: z.string(),
      actor: z.string(),
      action: z.string(),
      fromStatus: z.string().nullable(),
      toStatus: z.string().nullable(),
      details: z.record(z.string(), z.unknown()),
      hash: z.string(),
    }),
  ),
});

export const stepSchema = z.object({ run: runHead });

export const instructSchema = z.object({
  run: runHead,
  paymentFile: z.object({ id: z.string(), count: z.number(), total: amount, sha256: z.string() }),
});

export const confirmSchema = z.object({
  run: runHead,
  confirmationId: z.string(),
  settled: z.boolean(),
  repeated: z.boolean(),
  adjustments: z.number(),
  clean: z.boolean(),
  counts,
  lines: z.array(
    z.object({
      outcome: z.string(),
      reference: z.string(),
      operatorId: z.string().nullable(),
      expected: amount.nullable(),
      confirmed: amount.nullable(),
      bankReference: z.string().nullable(),
    }),
  ),
});
