import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { allocate, parseAmount, type Weight } from './index.js';

const a = (s: string) => parseAmount(s, { allowNegative: true });
const split = (total: string, weights: readonly Weight[]) =>
  allocate(a(total), weights).map(String);

describe('allocate', () => {
  it('splits evenly when it can', () => {
    expect(split('9.00', ['1', '1', '1'])).toEqual(['3.00', '3.00', '3.00']);
  });

  it('gives the leftover fen to the earliest part on a tie', () => {
    expect(split('1.00', [1n, 1n, 1n])).toEqual(['0.34', '0.33', '0.33']);
    expect(split('0.02', [1n, 1n, 1n])).toEqual(['0.01', '0.01', '0.00']);
  });

  it('gives the leftover fen to the largest remainder first', () => {
    // Exact shares 0.0333…, 0.0666…: the second has the larger remainder.
    expect(split('0.10', ['1', '2'])).toEqual(['0.03', '0.07']);
  });

  it('splits a negative total as the negated split of its size', () => {
    expect(split('-1.00', [1n, 1n, 1n])).toEqual(['-0.34', '-0.33', '-0.33']);
  });

  it('gives a zero weight nothing', () => {
    expect(split('1.00', ['0', '1', '0', '2'])).toEqual(['0.00', '0.33', '0.00', '0.67']);
  });

  it('takes mixed weights: decimal strings, bigint and amounts', () => {
    expect(split('10.00', ['0.5', 1n, a('0.50')])).toEqual(['2.50', '5.00', '2.50']);
  });

  it('splits zero into zeros', () => {
    expect(split('0.00', ['1', '3'])).toEqual(['0.00', '0.00']);
  });

  it('refuses empty, all-zero, negative and malformed weights', () => {
    const bad: unknown[][] = [[], ['0', 0n], ['-1'], [-1n], [a('-1.00')], [1], ['1e2'], ['01']];
    for (const weights of bad) {
      expect(() => allocate(a('1.00'), weights as Weight[])).toThrow(AppError);
      try {
        allocate(a('1.00'), weights as Weight[]);
      } catch (e) {
        expect((e as AppError).code).toBe('ALLOCATION_INVALID');
      }
    }
  });
});
