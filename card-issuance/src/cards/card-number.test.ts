import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '@citycard/core/errors';
import {
  assertCardNumber,
  cardNumberProblem,
  composeCardNumber,
  luhnCheckDigit,
  MAX_SERIAL,
  parseCardNumber,
} from './card-number.js';

const digitString = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

const parts = fc.record({
  cityCode: digitString(4),
  productDigits: digitString(2),
  serial: fc.bigInt({ min: 1n, max: MAX_SERIAL }),
});

const cardNumber = parts.map(composeCardNumber);

function captured(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('card numbers', () => {
  it('uses the standard Luhn digit', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(luhnCheckDigit('0')).toBe(0);
    expect(composeCardNumber({ cityCode: '3100', productDigits: '01', serial: 1n })).toBe(
      `310001000000001${luhnCheckDigit('310001000000001')}`,
    );
  });

  it('composes numbers that validate and parse back to their parts', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const n = composeCardNumber(p);
        expect(n).toHaveLength(16);
        expect(cardNumberProblem(n)).toBeUndefined();
        expect(parseCardNumber(n)).toEqual(p);
      }),
    );
  });

  it('catches every single-digit change', () => {
    fc.assert(
      fc.property(
        cardNumber,
        fc.nat({ max: 15 }),
        fc.integer({ min: 1, max: 9 }),
        (n, i, delta) => {
          const changed = (Number(n[i]) + delta) % 10;
          const wrong = n.slice(0, i) + String(changed) + n.slice(i + 1);
          expect(cardNumberProblem(wrong)).toBe('CARD_NUMBER_CHECK_DIGIT_INVALID');
        },
      ),
    );
  });

  it('catches every adjacent transposition except 09 and 90', () => {
    fc.assert(
      fc.property(cardNumber, fc.nat({ max: 14 }), (n, i) => {
        const a = n[i] ?? '';
        const b = n[i + 1] ?? '';
        fc.pre(a !== b && !(a + b === '09' || a + b === '90'));
        const swapped = n.slice(0, i) + b + a + n.slice(i + 2);
        expect(cardNumberProblem(swapped)).toBe('CARD_NUMBER_CHECK_DIGIT_INVALID');
      }),
    );
  });

  it('misses a 09 to 90 swap, as Luhn does', () => {
    const n = composeCardNumber({ cityCode: '3100', productDigits: '09', serial: 5n });
    const swapped = `${n.slice(0, 4)}90${n.slice(6)}`;
    expect(cardNumberProblem(swapped)).toBeUndefined();
  });

  it('names the first problem precisely', () => {
    const good = composeCardNumber({ cityCode: '3100', productDigits: '02', serial: 42n });
    expect(cardNumberProblem(good.slice(1))).toBe('CARD_NUMBER_LENGTH_INVALID');
    expect(cardNumberProblem(`${good}0`)).toBe('CARD_NUMBER_LENGTH_INVALID');
    expect(cardNumberProblem(`${good.slice(0, 15)}x`)).toBe('CARD_NUMBER_NOT_DIGITS');
    expect(cardNumberProblem(`${good.slice(0, 7)} ${good.slice(8)}`)).toBe(
      'CARD_NUMBER_NOT_DIGITS',
    );
    expect(() => assertCardNumber('123')).toThrow(AppError);
    const wrong = `${good.slice(0, 15)}${(Number(good[15]) + 1) % 10}`;
    const err = captured(() => assertCardNumber(wrong));
    expect(err).toMatchObject({ code: 'CARD_NUMBER_CHECK_DIGIT_INVALID', httpStatus: 400 });
    expect(JSON.stringify(err.details)).not.toContain(good.slice(6, 15));
  });

  it('refuses parts that do not fit', () => {
    expect(() => composeCardNumber({ cityCode: '310', productDigits: '01', serial: 1n })).toThrow();
    expect(() => composeCardNumber({ cityCode: '3100', productDigits: '1', serial: 1n })).toThrow();
    expect(() =>
      composeCardNumber({ cityCode: '3100', productDigits: '01', serial: MAX_SERIAL + 1n }),
    ).toThrow();
    expect(() =>
      composeCardNumber({ cityCode: '3100', productDigits: '01', serial: 0n }),
    ).toThrow();
  });
});
