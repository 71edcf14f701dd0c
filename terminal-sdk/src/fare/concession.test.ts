import fc from 'fast-check';
import { Amount } from '@citycard/core/money';
import { describe, expect, it } from 'vitest';
import { applyConcession } from './concession.js';

describe('applyConcession', () => {
  it('agrees with Amount.times half-even for every percentage and amount', () => {
    const percent = fc
      .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 99 }))
      .filter(([w, f]) => w < 100 || f === 0)
      .map(([w, f]) => `${w}.${String(f).padStart(2, '0')}`);
    fc.assert(
      fc.property(percent, fc.bigInt({ min: -10_000_000n, max: 10_000_000n }), (p, fen) => {
        const amount = Amount.fromFen(fen);
        const [w = '0', f = '00'] = p.split('.');
        const pays = 10_000n - (BigInt(w) * 100n + BigInt(f));
        const rate = `${pays / 10_000n}.${(pays % 10_000n).toString().padStart(4, '0')}`;
        const got = applyConcession({ type: 'percent', percentOff: p }, amount);
        expect(got.toString()).toBe(amount.times(rate, 'half-even').toString());
      }),
    );
  });

  it('rounds the half fen to even', () => {
    const quarter = { type: 'percent', percentOff: '25' } as const;
    expect(applyConcession(quarter, Amount.fromFen(50n)).toString()).toBe('0.38'); // 37.5
    expect(applyConcession(quarter, Amount.fromFen(150n)).toString()).toBe('1.12'); // 112.5
    expect(applyConcession({ type: 'free' }, Amount.fromFen(400n)).isZero()).toBe(true);
  });
});
