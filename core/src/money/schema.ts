import { z } from 'zod';
import { AMOUNT_PATTERN, NON_NEGATIVE_AMOUNT_PATTERN } from './parse.js';

/** A wire amount: "12.50", "-3.00"; parse it with parseAmount once validated. */
export const amountString = z.string().regex(AMOUNT_PATTERN, {
  error: 'Must be an amount with exactly two decimal places, like "12.50" or "-3.00"',
});

export const nonNegativeAmountString = z.string().regex(NON_NEGATIVE_AMOUNT_PATTERN, {
  error: 'Must be a non-negative amount with exactly two decimal places, like "12.50"',
});
