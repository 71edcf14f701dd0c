import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import {
  allocate,
  Amount,
  formatAmount,
  MAX_ABS_FEN,
  parseAmount,
  roundings,
  sumAmounts,
  type Rounding,
} from './index.js';

// --- oracles written in BigInt fen, independent of decimal.js and of the module's regex

function roundDiv(n: bigint, d: bigint, mode: Rounding): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const away = q + (n < 0n ? -1n : 1n);
  const twice = 2n * (r < 0n ? -r : r);
  switch (mode) {
    case 'down':
      return q;
    case 'up':
      return away;
    case 'floor':
      return n < 0n ? away : q;
    case 'ceiling':
      return n > 0n ? away : q;
    case 'half-up':
      return twice >= d ? away : q;
    case 'half-even':
      return twice > d || (twice === d && q % 2n !== 0n) ? away : q;
  }
}

const inRange = (fen: bigint): boolean => fen >= -MAX_ABS_FEN && fen <= MAX_ABS_FEN;

/** Character by character, so it does not share a bug with the module's regular expression. */
function isCanonical(s: string): boolean {
  const body = s.startsWith('-') ? s.slice(1) : s;
  const dot = body.indexOf('.');
  if (dot < 1 || body.length - dot !== 3) return false;
  const int = body.slice(0, dot);
  const digits = int + body.slice(dot + 1);
  if (![...digits].every((c) => c >= '0' && c <= '9')) return false;
  if (int.length > 16 || (int.length > 1 && int.startsWith('0'))) return false;
  return !(s.startsWith('-') && /^0+$/.test(digits));
}

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

// --- generators

const fen = fc.bigInt({ min: -MAX_ABS_FEN, max: MAX_ABS_FEN });
const smallFen = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n });
const amount = fen.map((f) => Amount.fromFen(f));
const rounding = fc.constantFrom(...roundings);
const validString = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,15}$/)),
    fc.stringMatching(/^[0-9]{2}$/),
  )
  .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}.${frac}`)
  .filter((s) => s !== '-0.00');

/** Almost-valid strings: a valid one with one of the classic spelling mistakes. */
const nearMiss = fc.tuple(validString, fc.integer({ min: 0, max: 8 })).map(([s, kind]) => {
  const [int = '', frac = ''] = s.replace('-', '').split('.');
  return [
    `+${s}`,
    `0${s.replace('-', '')}`,
    `${s}0`,
    `${int}.${frac.slice(0, 1)}`,
    ` ${s}`,
    `${s} `,
    `${int}e2`,
    `${int},${frac}`,
    `${int}`,
  ][kind] as string;
});

const anyString = fc.string({ unit: fc.constantFrom(...'0123456789.-+e ,'.split('')) });

const nonString = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.bigInt(),
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
);

describe('parse and format', () => {
  it('parse∘format is the identity on every amount', () => {
    fc.assert(
      fc.property(amount, (a) => {
        expect(parseAmount(formatAmount(a), { allowNegative: true }).eq(a)).toBe(true);
      }),
    );
  });

  it('format∘parse is the identity on every valid string', () => {
    fc.assert(
      fc.property(validString, (s) => {
        expect(formatAmount(parseAmount(s, { allowNegative: true }))).toBe(s);
      }),
    );
  });

  it('refuses near misses, non-strings and anything the oracle calls invalid', () => {
    fc.assert(
      fc.property(fc.oneof(nearMiss, nonString, anyString), (v) => {
        if (typeof v === 'string' && isCanonical(v)) {
          expect(formatAmount(parseAmount(v, { allowNegative: true }))).toBe(v);
        } else {
          expectCode(() => parseAmount(v, { allowNegative: true }), 'AMOUNT_INVALID');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses the named bad inputs', () => {
    for (const v of [1.5, NaN, '1.5', '01.00', '1.000', '+1.00', '1e2', ' 1.00']) {
      expectCode(() => parseAmount(v, { allowNegative: true }), 'AMOUNT_INVALID');
    }
  });
});

describe('arithmetic equals BigInt fen arithmetic', () => {
  it('add, sub, neg, abs, or out of range exactly when the oracle leaves numeric(18,2)', () => {
    fc.assert(
      fc.property(fen, fen, (x, y) => {
        const a = Amount.fromFen(x);
        const b = Amount.fromFen(y);
        for (const [got, want] of [
          [() => a.add(b), x + y],
          [() => a.sub(b), x - y],
        ] as const) {
          if (inRange(want)) expect(got().toFen()).toBe(want);
          else expectCode(got, 'AMOUNT_OUT_OF_RANGE');
        }
        expect(a.neg().toFen()).toBe(-x);
        expect(a.abs().toFen()).toBe(x < 0n ? -x : x);
      }),
    );
  });

  it('compares like the fen', () => {
    fc.assert(
      fc.property(smallFen, smallFen, (x, y) => {
        const a = Amount.fromFen(x);
        const b = Amount.fromFen(y);
        expect(a.cmp(b)).toBe(x < y ? -1 : x > y ? 1 : 0);
        expect([a.eq(b), a.lt(b), a.gt(b)]).toEqual([x === y, x < y, x > y]);
        expect([a.isZero(), a.isNegative()]).toEqual([x === 0n, x < 0n]);
      }),
    );
  });

  it('times a basis-point rate, half-even by default, like BigInt basis points', () => {
    fc.assert(
      fc.property(smallFen, fc.integer({ min: 0, max: 100_000 }).map(BigInt), (x, bp) => {
        const rate = `${bp / 10_000n}.${String(bp % 10_000n).padStart(4, '0')}`;
        expect(Amount.fromFen(x).times(rate).toFen()).toBe(roundDiv(x * bp, 10_000n, 'half-even'));
      }),
    );
  });

  it('times a ten-place rate with every rounding mode like BigInt', () => {
    const tenPlaces = fc.bigInt({ min: 0n, max: 10n ** 12n });
    fc.assert(
      fc.property(fen, tenPlaces, rounding, (x, r, mode) => {
        const s = r.toString().padStart(11, '0');
        const rate = `${BigInt(s.slice(0, -10))}.${s.slice(-10)}`;
        const want = roundDiv(x * r, 10n ** 10n, mode);
        const got = () => Amount.fromFen(x).times(rate, mode);
        if (inRange(want)) expect(got().toFen()).toBe(want);
        else expectCode(got, 'AMOUNT_OUT_OF_RANGE');
      }),
    );
  });

  it('sums like BigInt', () => {
    fc.assert(
      fc.property(fc.array(smallFen), (xs) => {
        expect(sumAmounts(xs.map((x) => Amount.fromFen(x))).toFen()).toBe(
          xs.reduce((s, x) => s + x, 0n),
        );
      }),
    );
  });
});

describe('int32 fen', () => {
  it('round-trips every int32', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => {
        const a = Amount.fromInt32Fen(n);
        expect(a.toFen()).toBe(BigInt(n));
        expect(a.toInt32Fen()).toBe(n);
      }),
    );
  });

  it('refuses every amount outside int32', () => {
    const outside = fc.oneof(
      fc.bigInt({ min: 2n ** 31n, max: MAX_ABS_FEN }),
      fc.bigInt({ min: -MAX_ABS_FEN, max: -(2n ** 31n) - 1n }),
    );
    fc.assert(
      fc.property(outside, (x) =>
        expectCode(() => Amount.fromFen(x).toInt32Fen(), 'AMOUNT_OUT_OF_RANGE'),
      ),
    );
  });
});

describe('allocate', () => {
  const weights = fc
    .array(fc.bigInt({ min: 0n, max: 1_000n }), { minLength: 1, maxLength: 20 })
    .filter((ws) => ws.some((w) => w > 0n));

  it('sums exactly to the total, each part within one fen of its exact share', () => {
    fc.assert(
      fc.property(fen, weights, (total, ws) => {
        const parts = allocate(Amount.fromFen(total), ws).map((p) => p.toFen());
        const sum = ws.reduce((s, w) => s + w, 0n);
        expect(parts.reduce((s, p) => s + p, 0n)).toBe(total);
        parts.forEach((p, i) => {
          // |p − total·w/W| < 1 fen, multiplied through by W.
          const diff = p * sum - total * (ws[i] ?? 0n);
          expect(diff < sum && -diff < sum).toBe(true);
          if (ws[i] === 0n) expect(p).toBe(0n);
        });
      }),
    );
  });

  it('gives equal weights parts that never grow with the index', () => {
    fc.assert(
      fc.property(smallFen, fc.integer({ min: 1, max: 30 }), (total, n) => {
        const parts = allocate(
          Amount.fromFen(total),
          Array.from({ length: n }, () => 1n),
        );
        const sizes = parts.map((p) => p.abs().toFen());
        sizes.slice(1).forEach((s, i) => expect(s <= (sizes[i] ?? 0n)).toBe(true));
      }),
    );
  });

  it('splits the same whatever the weights are spelt as', () => {
    fc.assert(
      fc.property(smallFen, weights, (total, ws) => {
        const t = Amount.fromFen(total);
        const asBigint = allocate(t, ws).map(String);
        expect(
          allocate(
            t,
            ws.map((w) => `${w}.0`),
          ).map(String),
        ).toEqual(asBigint);
        expect(
          allocate(
            t,
            ws.map((w) => Amount.fromFen(w)),
          ).map(String),
        ).toEqual(asBigint);
      }),
    );
  });
});
