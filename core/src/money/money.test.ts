import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import {
  Amount,
  amountString,
  applyRate,
  formatAmount,
  isAmountString,
  maxAmount,
  minAmount,
  nonNegativeAmountString,
  parseAmount,
  parseRate,
  sumAmounts,
} from './index.js';

const a = (s: string): Amount => parseAmount(s, { allowNegative: true });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : 'NOT_APP_ERROR';
  }
  return undefined;
}

describe('parsing and formatting amounts', () => {
  it('reads two-place strings and prints them back unchanged', () => {
    for (const s of ['0.00', '0.05', '12.50', '-3.00', '9999999999999999.99']) {
      expect(formatAmount(a(s))).toBe(s);
    }
  });

  it('refuses everything that is not the canonical two-place spelling', () => {
    const bad: unknown[] = [
      12.5,
      0,
      NaN,
      Infinity,
      10n,
      null,
      undefined,
      {},
      [],
      '1.5',
      '01.00',
      '1.000',
      '+1.00',
      '1e2',
      ' 1.00',
      '1.00 ',
      '1,000.00',
      '1.',
      '.50',
      '',
      '-',
      '-0.00',
      '１.００',
      '10000000000000000.00',
    ];
    for (const v of bad)
      expect(codeOf(() => parseAmount(v, { allowNegative: true }))).toBe('AMOUNT_INVALID');
  });

  it('names the field and echoes only short strings in the error', () => {
    const detailsOf = (v: unknown, field?: string): unknown => {
      try {
        parseAmount(v, field === undefined ? {} : { field });
      } catch (e) {
        return (e as AppError).details;
      }
      return undefined;
    };
    expect(detailsOf('1.5', 'fare')).toEqual({ field: 'fare', value: '1.5' });
    expect(detailsOf('9'.repeat(100))).toEqual({ field: 'amount' });
    expect(detailsOf(12.5)).toEqual({ field: 'amount' });
  });

  it('refuses negatives unless asked to allow them', () => {
    expect(codeOf(() => parseAmount('-1.00'))).toBe('AMOUNT_OUT_OF_RANGE');
    expect(parseAmount('-1.00', { allowNegative: true }).toFen()).toBe(-100n);
  });

  it('refuses an amount above max and accepts one equal to it', () => {
    expect(parseAmount('500.00', { max: '500.00' }).toString()).toBe('500.00');
    expect(codeOf(() => parseAmount('500.01', { max: '500.00' }))).toBe('AMOUNT_OUT_OF_RANGE');
    expect(codeOf(() => parseAmount('1.00', { max: '500' }))).toBe('AMOUNT_INVALID');
  });

  it('tells valid strings apart without throwing', () => {
    expect(isAmountString('12.50')).toBe(true);
    expect(isAmountString('12.5')).toBe(false);
    expect(isAmountString(12.5)).toBe(false);
  });

  it('serialises to the same string in JSON', () => {
    expect(JSON.stringify({ fare: a('2.00'), refund: a('-0.50') })).toBe(
      '{"fare":"2.00","refund":"-0.50"}',
    );
  });
});

describe('arithmetic', () => {
  it('adds, subtracts, negates and compares to the fen', () => {
    expect(a('0.10').add(a('0.20')).toString()).toBe('0.30');
    expect(a('1.00').sub(a('2.50')).toString()).toBe('-1.50');
    expect(a('-3.00').neg().toString()).toBe('3.00');
    expect(a('-3.00').abs().toString()).toBe('3.00');
    expect(a('1.00').cmp(a('2.00'))).toBe(-1);
    expect(a('2.00').gt(a('1.99'))).toBe(true);
    expect(a('2.00').eq(a('2.00'))).toBe(true);
    expect(Amount.zero.isZero()).toBe(true);
    expect(a('-0.01').isNegative()).toBe(true);
  });

  it('refuses results that do not fit numeric(18,2)', () => {
    const big = a('9999999999999999.99');
    expect(codeOf(() => big.add(a('0.01')))).toBe('AMOUNT_OUT_OF_RANGE');
    expect(codeOf(() => Amount.fromFen(10n ** 18n))).toBe('AMOUNT_OUT_OF_RANGE');
  });

  it('sums, and picks the smallest and largest', () => {
    expect(sumAmounts([a('1.10'), a('2.20'), a('-0.30')]).toString()).toBe('3.00');
    expect(sumAmounts([]).toString()).toBe('0.00');
    expect(minAmount(a('5.00'), a('-1.00'), a('3.00')).toString()).toBe('-1.00');
    expect(maxAmount(a('5.00'), a('-1.00'), a('3.00')).toString()).toBe('5.00');
  });
});

describe('rates and rounding', () => {
  it('takes a 1.5% commission rounded half-even by default', () => {
    expect(applyRate(a('100.00'), '0.015').toString()).toBe('1.50');
    // 0.30 × 0.015 = 0.0045: below half a fen.
    expect(applyRate(a('0.30'), '0.015').toString()).toBe('0.00');
    // 1.00 × 0.005 = 0.005: a tie, to the even fen (0.00); half-up goes to 0.01.
    expect(a('1.00').times('0.005').toString()).toBe('0.00');
    expect(a('3.00').times('0.005').toString()).toBe('0.02');
    expect(a('1.00').times('0.005', 'half-up').toString()).toBe('0.01');
  });

  it('rounds with each named mode', () => {
    const cases: [string, string, string][] = [
      ['down', '0.01', '-0.01'],
      ['up', '0.02', '-0.02'],
      ['floor', '0.01', '-0.02'],
      ['ceiling', '0.02', '-0.01'],
    ];
    for (const [mode, pos, neg] of cases) {
      const m = mode as 'down' | 'up' | 'floor' | 'ceiling';
      expect(a('1.00').times('0.015', m).toString(), mode).toBe(pos);
      expect(a('-1.00').times('0.015', m).toString(), mode).toBe(neg);
    }
  });

  it('normalises rates and refuses bad ones', () => {
    expect(parseRate('0.0150').toString()).toBe('0.015');
    expect(JSON.stringify(parseRate('1.5'))).toBe('"1.5"');
    for (const bad of ['-0.1', '0.12345678901', '1e-2', '.5', '01', 0.015, '']) {
      expect(codeOf(() => parseRate(bad))).toBe('AMOUNT_INVALID');
    }
  });
});

describe('int32 fen on MIFARE value blocks', () => {
  it('converts both ways within int32', () => {
    expect(a('21474836.47').toInt32Fen()).toBe(2 ** 31 - 1);
    expect(Amount.fromInt32Fen(-(2 ** 31)).toString()).toBe('-21474836.48');
    expect(Amount.fromInt32Fen(1250).toString()).toBe('12.50');
  });

  it('refuses values outside int32 or not integers', () => {
    expect(codeOf(() => a('21474836.48').toInt32Fen())).toBe('AMOUNT_OUT_OF_RANGE');
    for (const n of [2 ** 31, -(2 ** 31) - 1, 1.5, NaN, Infinity]) {
      expect(codeOf(() => Amount.fromInt32Fen(n))).toBe('AMOUNT_OUT_OF_RANGE');
    }
  });
});

describe('wire schemas', () => {
  it('accepts valid strings and explains what is wrong with others', () => {
    expect(amountString.parse('-3.00')).toBe('-3.00');
    expect(nonNegativeAmountString.safeParse('-3.00').success).toBe(false);
    const r = amountString.safeParse('3.5');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/two decimal places/);
    expect(amountString.safeParse(3.5).success).toBe(false);
  });
});
