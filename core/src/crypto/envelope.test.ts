import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  envelopeKeyId,
  open,
  parseKek,
  reseal,
  seal,
  deriveKeyId,
  type KeyEncryptionKey,
} from './envelope.js';

const kek: KeyEncryptionKey = { id: 'k2024', key: randomBytes(32) };
const other: KeyEncryptionKey = { id: 'k2025', key: randomBytes(32) };
const envelopeInvalid: unknown = expect.objectContaining({ code: 'ENVELOPE_INVALID' });
const keyInvalid: unknown = expect.objectContaining({ code: 'KEY_INVALID' });

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('envelope seal/open', () => {
  it('round-trips any plaintext and context', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.option(fc.string()), (bytes, aad) => {
        const plaintext = Buffer.from(bytes);
        const sealed = seal(plaintext, kek, aad ?? undefined);
        expect(open(sealed, kek, aad ?? undefined).equals(plaintext)).toBe(true);
      }),
    );
  });

  it('writes the versioned text format with the key id', () => {
    const sealed = seal(Buffer.from('master key'), kek, 'card-keys');
    expect(sealed).toMatch(/^v1\.k2024\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(envelopeKeyId(sealed)).toBe('k2024');
    expect(sealed).not.toContain(Buffer.from('master key').toString('base64url'));
  });

  it('uses a fresh IV each time', () => {
    const a = seal(Buffer.from('same'), kek);
    const b = seal(Buffer.from('same'), kek);
    expect(a).not.toBe(b);
  });

  it('picks the right key from a rotation list, and re-seals under the current one', () => {
    const sealed = seal(Buffer.from('secret'), kek, 'ctx');
    expect(open(sealed, [other, kek], 'ctx').toString()).toBe('secret');
    const moved = reseal(sealed, [kek, other], other, 'ctx');
    expect(envelopeKeyId(moved)).toBe('k2025');
    expect(open(moved, other, 'ctx').toString()).toBe('secret');
  });

  it('refuses a wrong key, an unknown key id, a wrong or missing context', () => {
    const sealed = seal(Buffer.from('secret'), kek, 'ctx');
    expect(() => open(sealed, { id: 'k2024', key: randomBytes(32) }, 'ctx')).toThrow(
      envelopeInvalid,
    );
    expect(() => open(sealed, other, 'ctx')).toThrow(envelopeInvalid);
    expect(() => open(sealed, kek, 'other')).toThrow(envelopeInvalid);
    expect(() => open(sealed, kek)).toThrow(envelopeInvalid);
    expect(() => open(sealed, [], 'ctx')).toThrow(envelopeInvalid);
  });

  it('says nothing about the plaintext when it fails', () => {
    const plaintext = 'ABCDEF0123456789';
    const sealed = seal(Buffer.from(plaintext), kek);
    const error = errorOf(() => open(sealed, kek, 'wrong'));
    const shown = JSON.stringify({ ...error, message: error.message, cause: error.cause });
    expect(shown).not.toContain(plaintext);
    expect(error.cause).toBeUndefined();
  });

  it('refuses malformed text', () => {
    for (const text of [
      '',
      'v1',
      'v2.k.a.b.c',
      'v1.k2024.a.b',
      'v1.bad id.AAAA.AAAA.AA',
      'x'.repeat(40),
    ]) {
      expect(() => open(text, kek)).toThrow(envelopeInvalid);
    }
  });

  it('refuses any change to any character of the sealed text', () => {
    const sealed = seal(Buffer.from('a secret worth keeping'), kek, 'ctx');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    fc.assert(
      fc.property(
        fc.nat({ max: sealed.length - 1 }),
        fc.constantFrom(...alphabet.split('')),
        (index, replacement) => {
          fc.pre(sealed[index] !== replacement);
          const tampered = sealed.slice(0, index) + replacement + sealed.slice(index + 1);
          expect(() => open(tampered, kek, 'ctx')).toThrow(envelopeInvalid);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses any flipped bit in the decoded iv, tag or ciphertext', () => {
    const sealed = seal(Buffer.from('a secret worth keeping'), kek);
    const [v, id, ...parts] = sealed.split('.');
    fc.assert(
      fc.property(fc.nat({ max: 2 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (p, at, bit) => {
        const bytes = Buffer.from(parts[p]!, 'base64url');
        bytes[at % bytes.length]! ^= 1 << bit;
        const changed = parts.map((x, i) => (i === p ? bytes.toString('base64url') : x));
        expect(() => open([v, id, ...changed].join('.'), kek)).toThrow(envelopeInvalid);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to seal with a bad key id or key length', () => {
    expect(() => seal(Buffer.from('x'), { id: 'a.b', key: randomBytes(32) })).toThrow(keyInvalid);
    expect(() => seal(Buffer.from('x'), { id: '', key: randomBytes(32) })).toThrow(keyInvalid);
    expect(() => seal(Buffer.from('x'), { id: 'k', key: randomBytes(16) })).toThrow(keyInvalid);
  });
});

describe('parseKek', () => {
  const key = randomBytes(32);

  it('reads 64 hex characters and base64 or base64url of 32 bytes', () => {
    const forms = [
      key.toString('hex'),
      key.toString('hex').toUpperCase(),
      key.toString('base64'),
      key.toString('base64').replace(/=$/, ''),
      key.toString('base64url'),
      `  ${key.toString('hex')}\n`,
    ];
    for (const text of forms) expect(parseKek(text).equals(key)).toBe(true);
  });

  it('accepts every key the config schema accepts in hex or base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const k = Buffer.from(bytes);
        expect(parseKek(k.toString('base64')).equals(k)).toBe(true);
        expect(parseKek(k.toString('hex')).equals(k)).toBe(true);
      }),
    );
  });

  it('gives a stable id derived from the key', () => {
    expect(deriveKeyId(key)).toMatch(/^k[0-9a-f]{12}$/);
    expect(deriveKeyId(Buffer.from(key))).toBe(deriveKeyId(key));
    expect(deriveKeyId(randomBytes(32))).not.toBe(deriveKeyId(key));
  });

  it('refuses wrong lengths and forms without echoing the text', () => {
    const bad = [
      '',
      key.toString('hex').slice(2),
      `${key.toString('hex')}00`,
      randomBytes(16).toString('base64'),
      randomBytes(48).toString('base64'),
      'g'.repeat(64),
    ];
    for (const text of bad) {
      const error = errorOf(() => parseKek(text));
      expect(error).toEqual(keyInvalid);
      if (text) expect(error.message).not.toContain(text);
    }
  });
});
