import { amountString, nonNegativeAmountString } from '@citycard/core/money';
import { z } from 'zod';
import { cashKinds } from './cash.js';

// Control and format characters have no place in a note typed at a counter.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u;

export const printable = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !UNPRINTABLE.test(s), 'must not contain control characters');

const code = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9][A-Z0-9-]{0,15}$/, 'must be 1–16 letters, digits or -');

export const idParams = z.object({ id: z.uuid() });

export const branchBody = z
  .object({ code, name: printable(100), address: printable(300).nullish() })
  .strict();

export const branchQuery = z.object({
  includeClosed: z.enum(['true', 'false']).optional(),
});

export const branchView = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  address: z.string().nullable(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
});

export const branchList = z.object({ items: z.array(branchView) });

export const counterBody = z.object({ code, name: printable(100) }).strict();

export const counterPatch = z
  .object({ active: z.boolean().optional(), name: printable(100).optional() })
  .strict()
  .refine((b) => b.active !== undefined || b.name !== undefined, 'nothing to change');

export const counterView = z.object({
  id: z.uuid(),
  branchId: z.uuid(),
  code: z.string(),
  name: z.string(),
  active: z.boolean(),
  createdAt: z.string(),
});

export const counterList = z.object({ items: z.array(counterView) });

export const openBody = z
  .object({ counterId: z.uuid().optional(), openingFloat: nonNegativeAmountString })
  .strict();

export const closeBody = z
  .object({ countedCash: nonNegativeAmountString, note: printable(500).optional() })
  .strict();

/** A supervisor closing someone else's drawer says why. */
export const closeDrawerBody = z
  .object({ countedCash: nonNegativeAmountString, note: printable(500) })
  .strict();

export const floatBody = z
  .object({ amount: amountString, note: printable(300).optional() })
  .strict();

export const correctionBody = z
  .object({ amount: amountString, reason: printable(300), movementId: z.uuid().optional() })
  .strict();

export const movementCreated = z.object({
  id: z.uuid(),
  drawerId: z.uuid(),
  afterClose: z.boolean(),
});

const result = z.enum(['balanced', 'long', 'short']);

export const movementView = z.object({
  id: z.uuid(),
  seq: z.int(),
  kind: z.enum(cashKinds),
  amount: z.string(),
  reference: z.object({ type: z.string(), id: z.string() }),
  staffId: z.uuid(),
  requestId: z.string(),
  note: z.string().nullable(),
  at: z.string(),
  /** A supervisor's correction recorded after the drawer was closed. */
  afterClose: z.boolean(),
});

export const drawerView = z.object({
  id: z.uuid(),
  staffId: z.uuid(),
  counterId: z.uuid(),
  branchId: z.uuid(),
  state: z.enum(['open', 'closed']),
  openedAt: z.string(),
  openingFloat: z.string(),
  movementCount: z.int(),
  /** Open: float + movements so far. Closed: what the close expected. */
  expectedCash: z.string(),
  closedAt: z.string().nullable(),
  closedBy: z.uuid().nullable(),
  countedCash: z.string().nullable(),
  /** counted − expected: positive long, negative short. */
  difference: z.string().nullable(),
  result: result.nullable(),
  note: z.string().nullable(),
  /** Corrections after the close, and the standing they give; null when there are none. */
  corrected: z
    .object({
      corrections: z.string(),
      expectedCash: z.string(),
      difference: z.string(),
      result,
    })
    .nullable(),
});

export const drawerDetail = drawerView.extend({ movements: z.array(movementView) });

export const drawerQuery = z
  .object({
    branchId: z.uuid().optional(),
    staffId: z.uuid().optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    state: z.enum(['open', 'closed']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const drawerList = z.object({ items: z.array(drawerView) });
