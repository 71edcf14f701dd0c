import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Amount } from '@citycard/core/money';
import {
  checkCashAvailable,
  checkMovementSign,
  closeOutcome,
  drawerAmount,
  expectedCash,
  type CashKind,
} from './cash.js';

const fen = (n: bigint): Amount => Amount.fromFen(n);
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('drawer arithmetic', () => {
  it('expects the float plus every movement, and calls a surplus long and a deficit short', () => {
    const expected = expectedCash(Amount.fromFen(50_000n), [fen(2_000n), fen(-1_550n), fen(1n)]);
    expect(expected.toString()).toBe('504.51');
    expect(closeOutcome(expected, fen(50_452n))).toMatchObject({ result: 'long' });
    expect(closeOutcome(expected, fen(50_452n)).difference.toString()).toBe('0.01');
    expect(closeOutcome(expected, fen(50_450n)).difference.toString()).toBe('-0.01');
    expect(closeOutcome(expected, fen(50_450n)).result).toBe('short');
    expect(closeOutcome(expected, fen(50_451n)).result).toBe('balanced');
  });

  it('holds each kind to its sign and refuses zero', () => {
    const cases: [CashKind, bigint, string | undefined][] = [
      ['deposit_taken', 2_000n, undefined],
      ['deposit_taken', -2_000n, 'CASH_MOVEMENT_INVALID'],
      ['top_up_cash', 1n, undefined],
      ['top_up_cash', -1n, 'CASH_MOVEMENT_INVALID'],
      ['deposit_refunded', -2_000n, undefined],
      ['deposit_refunded', 2_000n, 'CASH_MOVEMENT_INVALID'],
      ['balance_refunded', -1n, undefined],
      ['balance_refunded', 1n, 'CASH_MOVEMENT_INVALID'],
      ['float', -10_000n, undefined],
      ['float', 10_000n, undefined],
      ['correction', -1n, undefined],
      ['correction', 0n, 'CASH_MOVEMENT_INVALID'],
      ['float', 0n, 'CASH_MOVEMENT_INVALID'],
    ];
    for (const [kind, amount, code] of cases) {
      expect(
        codeOf(() => checkMovementSign(kind, fen(amount))),
        `${kind} ${amount}`,
      ).toBe(code);
    }
  });

  it('refuses a payout the drawer cannot cover, never money coming in', () => {
    expect(codeOf(() => checkCashAvailable(fen(100n), fen(-100n)))).toBeUndefined();
    expect(codeOf(() => checkCashAvailable(fen(100n), fen(-101n)))).toBe(
      'DRAWER_CASH_INSUFFICIENT',
    );
    expect(codeOf(() => checkCashAvailable(fen(-5n), fen(1n)))).toBeUndefined();
  });

  it('takes typed amounts only as two-place strings within the drawer bound', () => {
    expect(drawerAmount('12.50', 'x').toString()).toBe('12.50');
    expect(codeOf(() => drawerAmount('12.5', 'x'))).toBe('AMOUNT_INVALID');
    expect(codeOf(() => drawerAmount('-1.00', 'x'))).toBe('AMOUNT_OUT_OF_RANGE');
    expect(drawerAmount('-1.00', 'x', true).toString()).toBe('-1.00');
    expect(codeOf(() => drawerAmount('1000000.01', 'x'))).toBe('AMOUNT_OUT_OF_RANGE');
    expect(codeOf(() => drawerAmount('-1000000.01', 'x', true))).toBe('AMOUNT_OUT_OF_RANGE');
    expect(drawerAmount('1000000.00', 'x').toString()).toBe('1000000.00');
  });
});

/** The oracle: fen as BigInt, parsed from the wire strings by hand, no Amount involved. */
const oracleFen = (s: string): bigint => {
  const negative = s.startsWith('-');
  const [units = '0', cents = '00'] = s.replace('-', '').split('.');
  const value = BigInt(units) * 100n + BigInt(cents);
  return negative ? -value : value;
};

const MAX = 10n ** 12n;
const wire = (min: bigint) => fc.bigInt({ min, max: MAX }).map((n) => Amount.fromFen(n).toString());

describe('drawer arithmetic against a BigInt oracle', () => {
  it('expected = float + Σ movements and difference = counted − expected, to the fen', () => {
    fc.assert(
      fc.property(wire(0n), fc.array(wire(-MAX)), wire(0n), (float, movements, counted) => {
        const expected = expectedCash(
          Amount.fromFen(oracleFen(float)),
          movements.map((m) => Amount.fromFen(oracleFen(m))),
        );
        const oracleExpected = movements.reduce((sum, m) => sum + oracleFen(m), oracleFen(float));
        expect(oracleFen(expected.toString())).toBe(oracleExpected);
        const outcome = closeOutcome(expected, Amount.fromFen(oracleFen(counted)));
        const oracleDifference = oracleFen(counted) - oracleExpected;
        expect(oracleFen(outcome.difference.toString())).toBe(oracleDifference);
        const sign = oracleDifference > 0n ? 'long' : oracleDifference < 0n ? 'short' : 'balanced';
        expect(outcome.result).toBe(sign);
      }),
    );
  });
});
