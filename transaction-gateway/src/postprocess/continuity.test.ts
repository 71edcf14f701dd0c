import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { continuityFindings, type ChainRecord } from './continuity.js';

const fen = (n: number): string => (n / 100).toFixed(2);

/** A card's honest history: counters one apart, each balance carried to the next record. */
const honestChain = fc
  .record({
    start: fc.integer({ min: 0, max: 1_000_000 }),
    balance: fc.integer({ min: 10_000, max: 100_000 }),
    spends: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 2, maxLength: 40 }),
  })
  .map(({ start, balance, spends }) => {
    let b = balance;
    return spends.map((spend, i): ChainRecord => {
      const before = b;
      b -= spend;
      return {
        terminalId: `t${i % 3}`,
        sequence: String(i + 1),
        purseCounter: start + i,
        balanceBefore: fen(before),
        balanceAfter: fen(b),
        inChain: true,
      };
    });
  });

describe('continuityFindings', () => {
  it('finds nothing in an honest chain, whatever order the records come in', () => {
    fc.assert(
      fc.property(honestChain, fc.integer(), (chain, seed) => {
        const shuffled = [...chain].sort(
          (a, b) => ((a.purseCounter * 31 + seed) % 7) - ((b.purseCounter * 31 + seed) % 7),
        );
        expect(continuityFindings(shuffled)).toEqual([]);
      }),
    );
  });

  it('finds exactly one balance break where one balance was changed', () => {
    fc.assert(
      fc.property(honestChain, fc.nat(), (chain, pick) => {
        const i = 1 + (pick % (chain.length - 1));
        const broken = chain.map((r, k) =>
          k === i ? { ...r, balanceBefore: fen(Math.round(Number(r.balanceBefore) * 100) + 1) } : r,
        );
        const found = continuityFindings(broken);
        expect(found.map((f) => [f.kind, f.purseCounter])).toEqual([
          ['balance_break', chain[i]?.purseCounter],
        ]);
      }),
    );
  });

  it('reports a missing counter as a gap, not as a break', () => {
    fc.assert(
      fc.property(honestChain, fc.nat(), (chain, pick) => {
        fc.pre(chain.length >= 3);
        const i = 1 + (pick % (chain.length - 2));
        const found = continuityFindings(chain.filter((_, k) => k !== i));
        expect(found.map((f) => f.kind)).toEqual(['counter_gap']);
        expect(found[0]?.details).toMatchObject({ missing: 1, balanceRose: false });
      }),
    );
  });

  it('reports a counter used by two records (a clone) as reuse', () => {
    const base = { terminalId: 'a', balanceBefore: '5.00', balanceAfter: '4.00', inChain: true };
    const found = continuityFindings([
      { ...base, sequence: '1', purseCounter: 7 },
      {
        ...base,
        terminalId: 'b',
        sequence: '9',
        purseCounter: 7,
        balanceAfter: '3.00',
        inChain: false,
      },
    ]);
    expect(found.map((f) => f.kind)).toEqual(['counter_reuse']);
  });
});
