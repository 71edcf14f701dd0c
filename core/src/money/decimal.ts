import { Decimal } from 'decimal.js';
import { AppError } from '../errors/index.js';

/**
 * A private constructor so no other module's Decimal settings can change ours. Forty significant
 * digits hold an 18-digit fen amount times a rate of up to 16 digits without any rounding before
 * the single, explicit rounding to the fen.
 */
export const D = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});

export type Dec = InstanceType<typeof D>;

/** How a result that falls between two fen is rounded; 'down' and 'up' are toward and away from zero. */
export type Rounding = 'half-even' | 'half-up' | 'down' | 'up' | 'floor' | 'ceiling';

export const roundings: readonly Rounding[] = [
  'half-even',
  'half-up',
  'down',
  'up',
  'floor',
  'ceiling',
];

export function decimalRounding(rounding: Rounding): Decimal.Rounding {
  switch (rounding) {
    case 'half-even':
      return Decimal.ROUND_HALF_EVEN;
    case 'half-up':
      return Decimal.ROUND_HALF_UP;
    case 'down':
      return Decimal.ROUND_DOWN;
    case 'up':
      return Decimal.ROUND_UP;
    case 'floor':
      return Decimal.ROUND_FLOOR;
    case 'ceiling':
      return Decimal.ROUND_CEIL;
    default:
      // Callers in plain JavaScript can still pass any string.
      throw new AppError('VALIDATION_FAILED', {
        message: 'Unknown rounding mode',
        details: { rounding: String(rounding) },
      });
  }
}
