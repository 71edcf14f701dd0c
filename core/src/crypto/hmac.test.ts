import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blindIndex,
  hmacSha256,
  normaliseForIndex,
  timingSafeEqualBuffer,
  timingSafeEqualHex,
} from './hmac.js';

const indexKey = Buffer.alloc(32, 7);

describe('hmacSha256', () => {
  it('matches RFC 4231 test case 2', () => {
    const mac = hmacSha256(Buffer.from('Jefe'), 'what do ya want for nothing?');
    expect(mac.toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('treats a string and its UTF-8 bytes alike', () => {
    expect(hmacSha256(indexKey, '卡号').equals(hmacSha256(indexKey, Buffer.from('卡号')))).toBe(
      true,
    );
  });
});

describe('blindIndex', () => {
  it('finds a value however it was spaced, cased or typed in full-width form', () => {
    const stored = blindIndex(indexKey, 'Zhang  Wei');
    expect(blindIndex(indexKey, '  zhang wei ')).toBe(stored);
    expect(blindIndex(indexKey, 'ＺＨＡＮＧ\tＷＥＩ')).toBe(stored);
    expect(blindIndex(indexKey, '１１０１０１')).toBe(blindIndex(indexKey, '110101'));
  });

  it('is 64 hex characters, and depends on the key', () => {
    const a = blindIndex(indexKey, '13800138000');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndex(Buffer.alloc(32, 8), '13800138000')).not.toBe(a);
  });

  it('refuses a short key', () => {
    expect(() => blindIndex(Buffer.alloc(15), 'x')).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
  });

  it('gives distinct values distinct indexes once normalised', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const same = normaliseForIndex(a) === normaliseForIndex(b);
        expect(blindIndex(indexKey, a) === blindIndex(indexKey, b)).toBe(same);
      }),
    );
  });

  it('normalises idempotently', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const once = normaliseForIndex(s);
        expect(normaliseForIndex(once)).toBe(once);
      }),
    );
  });
});

describe('timing-safe comparison', () => {
  it('compares buffers of any length without throwing', () => {
    expect(timingSafeEqualBuffer(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(timingSafeEqualBuffer(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
    expect(timingSafeEqualBuffer(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
    expect(timingSafeEqualBuffer(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
  });

  it('compares hex case-insensitively and never matches malformed hex', () => {
    expect(timingSafeEqualHex('00ff', '00FF')).toBe(true);
    expect(timingSafeEqualHex('00ff', '00fe')).toBe(false);
    expect(timingSafeEqualHex('0', '0')).toBe(false);
    expect(timingSafeEqualHex('zz', 'zz')).toBe(false);
    expect(timingSafeEqualHex('00ff', '00ff00')).toBe(false);
  });

  it('agrees with plain equality of the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        const ha = Buffer.from(a).toString('hex');
        const hb = Buffer.from(b).toString('hex');
        expect(timingSafeEqualHex(ha, hb)).toBe(ha === hb);
        expect(timingSafeEqualBuffer(Buffer.from(a), Buffer.from(b))).toBe(ha === hb);
      }),
    );
  });
});
