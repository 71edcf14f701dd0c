import { describe, expect, it } from 'vitest';
import { fen, timesRate, yuan } from './fen.js';

describe("the e2e test's own fen arithmetic", () => {
  it('reads and writes two-place amounts, negative ones too', () => {
    expect(fen('12.50')).toBe(1250n);
    expect(fen('-0.05')).toBe(-5n);
    expect(yuan(-5n)).toBe('-0.05');
    expect(yuan(123_456n)).toBe('1234.56');
    expect(() => fen('1.5')).toThrow();
  });

  it('rounds a rate half to even, whatever the sign', () => {
    expect(timesRate(250n, '0.0100')).toBe(2n); // 2.5 fen → 2
    expect(timesRate(350n, '0.0100')).toBe(4n); // 3.5 fen → 4
    expect(timesRate(-250n, '0.0100')).toBe(-2n);
    expect(timesRate(251n, '0.0100')).toBe(3n);
    expect(timesRate(1000n, '1')).toBe(1000n);
    expect(timesRate(333n, '0.5')).toBe(166n); // 166.5 → 166
  });
});
