import { AppError } from '../errors/index.js';
import { D } from './decimal.js';

/**
 * A non-negative multiplier such as a commission ("0.015") or a discount factor ("0.9"): at most
 * 6 integer digits and 10 decimal places, so an amount times a rate stays exact in 40 digits.
 */
const RATE_PATTERN = /^(?:0|[1-9]\d{0,5})(?:\.\d{1,10})?$/;

export function isRateString(s: unknown): s is string {
  return typeof s === 'string' && RATE_PATTERN.test(s);
}

export class Rate {
  private readonly value: string;

  private constructor(value: string) {
    // Normalised ("0.0150" → "0.015") so equal rates print and compare alike.
    this.value = new D(value).toFixed();
    Object.freeze(this);
  }

  static parse(value: unknown, opts: { field?: string } = {}): Rate {
    if (value instanceof Rate) return value;
    if (!isRateString(value)) {
      const details: Record<string, unknown> = { field: opts.field ?? 'rate' };
      if (typeof value === 'string' && value.length <= 32) details.value = value;
      throw new AppError('AMOUNT_INVALID', {
        message: 'Not a valid rate (non-negative decimal string, at most 10 decimal places)',
        details,
      });
    }
    return new Rate(value);
  }

  isZero(): boolean {
    return this.value === '0';
  }

  eq(other: Rate): boolean {
    return this.value === other.value;
  }

  toString(): string {
    return this.value;
  }

  toJSON(): string {
    return this.value;
  }
}

export function parseRate(value: unknown, opts: { field?: string } = {}): Rate {
  return Rate.parse(value, opts);
}
