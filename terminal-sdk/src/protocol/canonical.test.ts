import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalMembers, canonicalSlow } from './canonical.js';

describe('canonical members', () => {
  it('member by member, join to canonicalJson of any plain object', () => {
    const outcome = (f: () => string) => {
      try {
        return f();
      } catch {
        return 'refused';
      }
    };
    const joined = (value: object) =>
      `{${canonicalMembers(value)
        .map((m) => m.text)
        .join(',')}}`;
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        expect(outcome(() => joined(value))).toBe(outcome(() => canonicalSlow(value)));
      }),
      { numRuns: 2000 },
    );
  });
});
