import { z } from 'zod';
import { nonNegativeAmountString, parseAmount } from '@citycard/core/money';
import { isCalendarDay } from '../jobs/business-day.js';

const day = z.string().refine(isCalendarDay, 'a calendar day, YYYY-MM-DD');
const rate = z
  .string()
  .regex(/^(?:0(?:\.\d{1,10})?|1(?:\.0{1,10})?)$/, 'a rate from 0 to 1, at most 10 places');

function minWithinMax(min: string | null | undefined, max: string | null | undefined): boolean {
  if (min == null || max == null) return true;
  try {
    return !parseAmount(min).gt(parseAmount(max));
  } catch {
    // A malformed amount is reported on its own field.
    return true;
  }
}

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
  })
  .refine((s) => minWithinMax(s.dailyMin, s.dailyMax), {
    path: ['dailyMax'],
    message: 'dailyMax must not be below dailyMin',
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
