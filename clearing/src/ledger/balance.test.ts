import { describe, expect, it } from 'vitest';
import { parseAmount } from '@citycard/core/money';
import { assertBalanced, draftEntry, isBalanced, reversalOf } from './balance.js';

const a = (s: string) => parseAmount(s, { allowNegative: true });

describe('entry balance', () => {
  it('accepts postings that sum to zero and refuses the rest with a code', () => {
    const ok = draftEntry('test', 'ok', [
      { account: 'card_float', amount: a('10.00') },
      { account: 'suspense', amount: a('-10.00') },
    ]);
    expect(ok && isBalanced(ok)).toBe(true);
    const bad = {
      kind: 'test',
      description: 'bad',
      postings: [
        { account: 'card_float', amount: a('10.00') },
        { account: 'suspense', amount: a('-9.99') },
      ],
    };
    expect(() => assertBalanced(bad)).toThrow(
      expect.objectContaining({ code: 'LEDGER_ENTRY_UNBALANCED' }),
    );
  });

  it('drops zero postings and leaves no entry when nothing moves', () => {
    expect(
      draftEntry('test', 'none', [
        { account: 'card_float', amount: a('0.00') },
        { account: 'suspense', amount: a('0.00') },
      ]),
    ).toBeUndefined();
  });

  it('reverses to the negation', () => {
    const e = draftEntry('test', 'x', [
      { account: 'card_float', amount: a('1.05') },
      { account: 'suspense', amount: a('-1.05') },
    ]);
    if (!e) throw new Error('no entry');
    expect(reversalOf(e).postings.map((p) => p.amount.toString())).toEqual(['-1.05', '1.05']);
  });
});
