import { z } from 'zod';
import { nonNegativeAmountString } from '@citycard/core/money';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const rate = z.string().regex(/^(?:0|1)(?:\.\d{1,10})?$/, 'a rate from 0 to 1, at most 10 places');

export const feeScheduleInput = z
  .strictObject({
    operatorId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
    effectiveFrom: day,
    effectiveTo: day.nullable().optional(),
    fixedFee: nonNegativeAmountString.default('0.00'),
    dailyMin: nonNegativeAmountString.nullable().optional(),
    dailyMax: nonNegativeAmountString.nullable().optional(),
    rates: z.record(z.string().min(1).max(40), rate),
  })
  .refine((s) => s.effectiveTo == null || s.effectiveTo > s.effectiveFrom, {
    path: ['effectiveTo'],
    message: 'effectiveTo must be after effectiveFrom',
  });
export type FeeScheduleInput = z.input<typeof feeScheduleInput>;

export const subsidyRuleInput = z
  .strictObject({
    operatorId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
      .nullable(),
    riderCategoryId: z.string().min(1).max(64),
    rate,
    effectiveFrom: day,
    effectiveTo: day.nullable().optional(),
  })
  .refine((s) => s.effectiveTo == null || s.effectiveTo > s.effectiveFrom, {
    path: ['effectiveTo'],
    message: 'effectiveTo must be after effectiveFrom',
  });
export type SubsidyRuleInput = z.input<typeof subsidyRuleInput>;
