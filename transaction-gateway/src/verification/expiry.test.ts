import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterExpiry } from './verify-records.js';

const ZONES = ['Asia/Shanghai', 'Pacific/Kiritimati', 'Etc/GMT+12', 'America/St_Johns', 'UTC'];

function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(at);
}

describe('afterExpiry', () => {
  it('agrees with the local date in the zone, around the last valid day and far from it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }),
        fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }),
        (zone, day, offsetMs) => {
          const expiresOn = day.toISOString().slice(0, 10);
          const at = new Date(Date.parse(`${expiresOn}T00:00:00Z`) + offsetMs);
          expect(afterExpiry(at, expiresOn, zone)).toBe(localDate(at, zone) > expiresOn);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
