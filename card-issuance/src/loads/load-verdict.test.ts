import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HISTORY_DEPTH,
  judgeLoad,
  type HistorySeen,
  type LoadExpectation,
} from './load-verdict.js';

const x: LoadExpectation = { counterBefore: 41, balanceBeforeFen: 1_250, amountFen: 5_000 };
const entry = (counter: number, kind: string, amountFen: number, after: number): HistorySeen => ({
  kind,
  amountFen,
  balanceAfterFen: after,
  counterLow: counter & 0xff,
});
const ours = entry(42, 'load', 5_000, 6_250);

describe('judging an unseen load from a later read', () => {
  it('says not applied while the counter has not moved', () => {
    expect(judgeLoad(x, { counter: 41, balanceFen: 1_250 }, [])).toBe('not_applied');
  });

  it('says applied at the next counter with the new balance, with or without its entry', () => {
    expect(judgeLoad(x, { counter: 42, balanceFen: 6_250 }, [ours])).toBe('applied');
    expect(judgeLoad(x, { counter: 42, balanceFen: 6_250 }, [])).toBe('applied');
  });

  it('says not applied when another update took the next counter', () => {
    const tap = entry(42, 'transit', -200, 1_050);
    expect(judgeLoad(x, { counter: 42, balanceFen: 1_050 }, [tap])).toBe('not_applied');
    expect(judgeLoad(x, { counter: 43, balanceFen: 850 }, [tap])).toBe('not_applied');
  });

  it('reads a torn entry from the entry after it', () => {
    const tap = entry(43, 'transit', -200, 6_050);
    expect(judgeLoad(x, { counter: 43, balanceFen: 6_050 }, [tap])).toBe('applied');
  });

  it('hands over to a person when the history was written over', () => {
    const later = [47, 48, 49, 50, 51, 52].map((n) => entry(n, 'transit', -10, 6_000 - n));
    expect(judgeLoad(x, { counter: 52, balanceFen: 5_948 }, later)).toBe('undecidable');
  });

  it('hands over a card whose counter went back or whose entry contradicts its purse', () => {
    expect(judgeLoad(x, { counter: 40, balanceFen: 1_250 }, [])).toBe('undecidable');
    expect(judgeLoad(x, { counter: 42, balanceFen: 1_050 }, [ours])).toBe('undecidable');
  });
});

/**
 * A card's life after the load: the load commits or not, then any number of debits follow, and any
 * history write may be torn (the purse commits before its entry is written). Whatever the verdict
 * says must be true; it may only give up when the ring no longer holds what it needs.
 */
describe('judgeLoad property', () => {
  const scenario = fc.record({
    before: fc.integer({ min: 0, max: 100_000 }),
    counter: fc.integer({ min: 0, max: 2_000 }),
    amount: fc.integer({ min: 1, max: 100_000 }),
    committed: fc.boolean(),
    ownEntryTorn: fc.boolean(),
    debits: fc.array(fc.record({ fen: fc.integer({ min: 1, max: 500 }), torn: fc.boolean() }), {
      maxLength: 12,
    }),
  });

  it('is never wrong, and decides whenever the ring still tells', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const ring: (HistorySeen | null)[] = Array.from({ length: HISTORY_DEPTH }, () => null);
        let counter = s.counter;
        let balance = s.before;
        const torn: boolean[] = [];
        const write = (kind: string, amountFen: number, tear: boolean) => {
          counter += 1;
          balance += amountFen;
          torn.push(tear);
          if (!tear) ring[counter % HISTORY_DEPTH] = entry(counter, kind, amountFen, balance);
        };
        if (s.committed) write('load', s.amount, s.ownEntryTorn);
        for (const d of s.debits) {
          if (balance < d.fen) break;
          write('purchase', -d.fen, d.torn);
        }
        const expectation = {
          counterBefore: s.counter,
          balanceBeforeFen: s.before,
          amountFen: s.amount,
        };
        const verdict = judgeLoad(expectation, { counter, balanceFen: balance }, ring);
        const truth = s.committed ? 'applied' : 'not_applied';
        if (verdict !== 'undecidable') expect(verdict).toBe(truth);
        // Update n is torn[0], n+1 is torn[1]; an entry survives HISTORY_DEPTH updates.
        const moved = torn.length;
        const tells = (i: number) =>
          moved > i && moved - 1 - i < HISTORY_DEPTH && torn[i] === false;
        if (moved <= 1 || tells(0) || tells(1)) expect(verdict).toBe(truth);
      }),
      { numRuns: 2_000 },
    );
  });
});
