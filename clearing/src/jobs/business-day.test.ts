import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastClosedBusinessDay } from './business-day.js';

describe('lastClosedBusinessDay', () => {
  it('closes a day at the cut-off after it, in the configured zone', () => {
    // 2026-11-28 04:30 Asia/Shanghai = 2026-11-27 20:30 UTC
    expect(lastClosedBusinessDay(new Date('2026-11-27T20:30:00Z'), '04:00', 'Asia/Shanghai')).toBe(
      '2026-11-27',
    );
    // 2026-11-28 03:59 Shanghai: the 27th is still open
    expect(lastClosedBusinessDay(new Date('2026-11-27T19:59:00Z'), '04:00', 'Asia/Shanghai')).toBe(
      '2026-11-26',
    );
    expect(lastClosedBusinessDay(new Date('2026-03-01T00:00:00Z'), '00:00', 'UTC')).toBe(
      '2026-02-28',
    );
  });

  it('moves by exactly one day every 24 hours', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
        (at) => {
          const today = lastClosedBusinessDay(at, '04:00', 'Asia/Shanghai');
          const tomorrow = lastClosedBusinessDay(
            new Date(at.getTime() + 86_400_000),
            '04:00',
            'Asia/Shanghai',
          );
          expect(Date.parse(tomorrow) - Date.parse(today)).toBe(86_400_000);
        },
      ),
    );
  });
});
