import { describe, expect, it } from 'vitest';
import { conflictingPeriods, periodsOverlap } from './overlap.js';

const p = (effectiveFrom: string, effectiveTo: string | null = null) => ({
  effectiveFrom,
  effectiveTo,
});

describe('effective periods', () => {
  it('overlap when they share a day (to is exclusive)', () => {
    expect(periodsOverlap(p('2026-01-01', '2026-02-01'), p('2026-02-01'))).toBe(false);
    expect(periodsOverlap(p('2026-01-01', '2026-02-02'), p('2026-02-01'))).toBe(true);
    expect(periodsOverlap(p('2026-01-01'), p('2020-01-01', '2026-01-02'))).toBe(true);
    expect(periodsOverlap(p('2026-03-01'), p('2020-01-01', '2026-03-01'))).toBe(false);
  });

  it('let a new version take over an open-ended one from a later start', () => {
    const running = [p('2020-01-01')];
    expect(conflictingPeriods(running, p('2027-01-01'))).toEqual([]);
    expect(conflictingPeriods(running, p('2027-01-01', '2027-02-01'))).toEqual([]);
  });

  it('refuse hiding a bounded window or a version starting on or after the new start', () => {
    const promo = p('2026-03-01', '2026-04-01');
    const planned = p('2027-01-01');
    const existing = [p('2020-01-01'), promo, planned];
    expect(conflictingPeriods(existing, p('2026-03-15'))).toEqual([promo, planned]);
    expect(conflictingPeriods(existing, p('2026-12-01', '2027-01-02'))).toEqual([planned]);
    expect(conflictingPeriods(existing, p('2027-01-01'))).toEqual([planned]);
    expect(conflictingPeriods(existing, p('2026-05-01', '2026-06-01'))).toEqual([]);
    expect(conflictingPeriods([p('2020-01-01')], p('2020-01-01'))).toHaveLength(1);
  });
});
