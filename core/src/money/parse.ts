import { AppError } from '../errors/index.js';
import { Amount } from './amount.js';

/**
 * The one canonical spelling of an amount: optional '-', an integer part without leading zeros
 * (at most 16 digits, as numeric(18,2) allows), '.', exactly two digits. "-0.00" is refused so
 * that every amount has exactly one string and format∘parse is the identity.
 */
export const AMOUNT_PATTERN = /^(?!-0\.00$)-?(?:0|[1-9]\d{0,15})\.\d{2}$/;
export const NON_NEGATIVE_AMOUNT_PATTERN = /^(?:0|[1-9]\d{0,15})\.\d{2}$/;

/** Echoed back in error details only when short, so a huge body never ends up in a log line. */
const MAX_ECHOED_LENGTH = 32;

export interface ParseAmountOptions {
  /** The field name reported in error details (default 'amount'). */
  field?: string;
  /** Negative amounts are refused unless this is true. */
  allowNegative?: boolean;
  /** An inclusive upper bound, itself a two-place string. */
  max?: string;
}

export function isAmountString(s: unknown): s is string {
  return typeof s === 'string' && AMOUNT_PATTERN.test(s);
}

function fenOf(s: string): bigint {
  return BigInt(s.replace('.', ''));
}

function errorDetails(field: string, value: unknown): Record<string, unknown> {
  const details: Record<string, unknown> = { field };
  if (typeof value === 'string' && value.length <= MAX_ECHOED_LENGTH) details.value = value;
  return details;
}

export function parseAmount(value: unknown, opts: ParseAmountOptions = {}): Amount {
  const field = opts.field ?? 'amount';
  if (!isAmountString(value)) {
    throw new AppError('AMOUNT_INVALID', { details: errorDetails(field, value) });
  }
  const amount = Amount.fromFen(fenOf(value));
  if (amount.isNegative() && opts.allowNegative !== true) {
    throw new AppError('AMOUNT_OUT_OF_RANGE', {
      message: 'Amount must not be negative',
      details: errorDetails(field, value),
    });
  }
  if (opts.max !== undefined) {
    if (!isAmountString(opts.max)) {
      throw new AppError('AMOUNT_INVALID', { details: errorDetails('max', opts.max) });
    }
    if (amount.gt(Amount.fromFen(fenOf(opts.max)))) {
      throw new AppError('AMOUNT_OUT_OF_RANGE', {
        message: `Amount must not exceed ${opts.max}`,
        details: { ...errorDetails(field, value), max: opts.max },
      });
    }
  }
  return amount;
}

export function formatAmount(a: Amount): string {
  return a.toString();
}
