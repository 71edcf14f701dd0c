import { describe, expect, it } from 'vitest';
import { parseAmount } from '@citycard/core/money';
import { canonicalJson, inputHash } from './hash.js';

describe('canonical hashing', () => {
  it('writes keys sorted at every level and amounts as two-place strings', () => {
    const a = canonicalJson({ b: 1, a: { d: parseAmount('1.50'), c: [{ z: 1, y: 2 }] } });
    expect(a).toBe('{"a":{"c":[{"y":2,"z":1}],"d":"1.50"},"b":1}');
  });

  it('changes the input hash when any digest or the cut-off changes', () => {
    const digest = { count: 1, h1: '1', h2: '2' };
    const keys = { count: 1, terminals: 1, gross: '2.00', keys: 'a'.repeat(64) };
    const base = {
      day: '2026-05-04',
      cutoff: new Date('2026-05-04T20:00:00Z'),
      transactions: keys,
      cashMovements: digest,
      loads: digest,
      adjustments: digest,
    };
    const h = inputHash(base);
    expect(inputHash({ ...base })).toBe(h);
    expect(inputHash({ ...base, transactions: { ...keys, keys: 'b'.repeat(64) } })).not.toBe(h);
    expect(inputHash({ ...base, loads: { ...digest, h2: '3' } })).not.toBe(h);
    expect(inputHash({ ...base, cutoff: new Date('2026-05-04T21:00:00Z') })).not.toBe(h);
  });
});
