import { describe, expect, it } from 'vitest';
import { businessDay } from './business-day.js';

describe('businessDay', () => {
  it('counts the hours before the cut-off in the day before', () => {
    // 03:59 and 04:00 on 28 November in Shanghai (UTC+8).
    expect(businessDay(new Date('2026-11-27T19:59:59Z'), 'Asia/Shanghai', '04:00')).toBe(
      '2026-11-27',
    );
    expect(businessDay(new Date('2026-11-27T20:00:00Z'), 'Asia/Shanghai', '04:00')).toBe(
      '2026-11-28',
    );
    expect(businessDay(new Date('2026-11-27T16:00:00Z'), 'Asia/Shanghai', '00:00')).toBe(
      '2026-11-28',
    );
  });

  it('answers each instant of the same second alike, and moves on at the cut-off', () => {
    const before = new Date('2026-11-27T19:59:59.000Z');
    expect(businessDay(before, 'Asia/Shanghai', '04:00')).toBe('2026-11-27');
    expect(businessDay(new Date('2026-11-27T19:59:59.999Z'), 'Asia/Shanghai', '04:00')).toBe(
      '2026-11-27',
    );
    expect(businessDay(new Date('2026-11-27T20:00:00.000Z'), 'Asia/Shanghai', '04:00')).toBe(
      '2026-11-28',
    );
    // Another zone or cut-off in the same second is answered for itself.
    expect(businessDay(before, 'Asia/Shanghai', '00:00')).toBe('2026-11-28');
    expect(businessDay(before, 'UTC', '04:00')).toBe('2026-11-27');
    expect(businessDay(before, 'Asia/Shanghai', '04:00')).toBe('2026-11-27');
  });

  it('refuses a malformed cut-off', () => {
    expect(() => businessDay(new Date(), 'Asia/Shanghai', '4:00')).toThrow(/cut-off/);
  });
});
