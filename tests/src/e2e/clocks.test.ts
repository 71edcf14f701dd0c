import { describe, expect, it } from 'vitest';
import { cityClocks } from './clocks.js';

const at = (iso: string): number => Date.parse(iso);

describe('where the city day sits in real time', () => {
  it('is the business day running now, cut off at 04:00 China time', () => {
    const afternoon = cityClocks(at('2026-03-10T14:20:00+08:00'));
    expect(afternoon.day).toBe('2026-03-10');
    expect(afternoon.cutoff.toISOString()).toBe('2026-03-10T20:00:00.000Z');
    expect(afternoon.lostAt).toBe('14:20');
    const night = cityClocks(at('2026-03-11T01:30:00+08:00'));
    expect(night.day).toBe('2026-03-10');
    expect(night.lostAt).toBe('18:00');
  });

  it('moves the gateway before the cut-off for the day, past it for late uploads', () => {
    const now = at('2026-03-10T14:00:00+08:00');
    const c = cityClocks(now);
    const shifted = (s: number): string => new Date(now + s * 1000).toISOString();
    expect(shifted(c.gatewayDayOffsetS)).toBe('2026-03-10T19:00:00.000Z');
    expect(shifted(c.gatewayLateOffsetS)).toBe('2026-03-10T21:00:00.000Z');
    expect(shifted(c.clearingOffsetS)).toBe('2026-03-10T20:30:00.000Z');
  });
});
