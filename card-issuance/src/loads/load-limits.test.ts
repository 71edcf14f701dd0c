import { parseAmount } from '@citycard/core/money';
import { describe, expect, it } from 'vitest';
import { checkLoadLimits, type LoadFigures, type LoadLimits } from './load-limits.js';

const limits: LoadLimits = {
  perLoadMax: parseAmount('500.00'),
  dailyMaxPerCard: parseAmount('800.00'),
};
const figures = (over: Partial<Record<keyof LoadFigures, string>>): LoadFigures => ({
  amount: parseAmount(over.amount ?? '100.00'),
  loadedToday: parseAmount(over.loadedToday ?? '0.00'),
  cardBalance: parseAmount(over.cardBalance ?? '0.00'),
  shadowBalance: parseAmount(over.shadowBalance ?? '0.00'),
  maxBalance: parseAmount(over.maxBalance ?? '1000.00'),
});

function codeOf(f: LoadFigures): string | undefined {
  try {
    checkLoadLimits(limits, f);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('load limits', () => {
  it('lets a load up to each limit exactly through', () => {
    expect(codeOf(figures({ amount: '500.00' }))).toBeUndefined();
    expect(codeOf(figures({ amount: '300.00', loadedToday: '500.00' }))).toBeUndefined();
    expect(codeOf(figures({ amount: '100.00', cardBalance: '900.00' }))).toBeUndefined();
  });

  it('names the limit a load breaks, by one fen', () => {
    expect(codeOf(figures({ amount: '500.01' }))).toBe('LOAD_AMOUNT_ABOVE_LIMIT');
    expect(codeOf(figures({ amount: '300.01', loadedToday: '500.00' }))).toBe(
      'LOAD_DAILY_LIMIT_EXCEEDED',
    );
    expect(codeOf(figures({ amount: '100.01', cardBalance: '900.00' }))).toBe(
      'LOAD_BALANCE_ABOVE_MAX',
    );
  });

  it('holds the maximum balance against whichever of card and shadow is higher', () => {
    expect(codeOf(figures({ amount: '100.01', shadowBalance: '900.00' }))).toBe(
      'LOAD_BALANCE_ABOVE_MAX',
    );
    expect(
      codeOf(figures({ amount: '100.01', cardBalance: '900.00', shadowBalance: '10.00' })),
    ).toBe('LOAD_BALANCE_ABOVE_MAX');
  });
});
