import { aesCmac } from '@citycard/core/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cmac } from './fast-cmac.js';

describe('cmac', () => {
  it('equals core aesCmac for every key length and message length', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.uint8Array({ maxLength: 200 }),
        (key, message) => {
          const k = Buffer.from(key);
          const m = Buffer.from(message);
          expect(cmac(k, m).equals(aesCmac(k, m))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('equals aesCmac message after message under kept keys, whatever the interleaving', () => {
    const keys = [16, 24, 32, 16].map((n) =>
      Buffer.from(Array.from({ length: n }, (_, i) => i * n)),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(keys.length - 1), fc.uint8Array({ maxLength: 100 })), {
          maxLength: 30,
        }),
        (messages) => {
          for (const [k, message] of messages) {
            const key = keys[k] as Buffer;
            const m = Buffer.from(message);
            expect(cmac(key, m).toString('hex')).toBe(aesCmac(key, m).toString('hex'));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers a tag the caller may change without affecting the next one', () => {
    const key = Buffer.alloc(16, 7);
    const first = cmac(key, Buffer.from('a'));
    first.fill(0);
    expect(cmac(key, Buffer.from('b')).equals(aesCmac(key, Buffer.from('b')))).toBe(true);
  });

  it('matches RFC 4493 example 2', () => {
    const key = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
    const message = Buffer.from('6bc1bee22e409f96e93d7e117393172a', 'hex');
    expect(cmac(key, message).toString('hex')).toBe('070a16b46b4d4144f79bdd9dd04a287c');
  });
});
