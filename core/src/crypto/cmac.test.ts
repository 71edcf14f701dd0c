import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesCmac, cmacSubkeys } from './cmac.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const rfcKey = hex('2b7e151628aed2a6abf7158809cf4f3c');
const rfcMessage64 = hex(
  `6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
   30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`,
);

/**
 * Reference built differently from the implementation: the subkeys come from plain big-integer
 * arithmetic and the chain from OpenSSL's own CBC mode, keeping only the last block.
 */
function referenceCmac(key: Buffer, message: Buffer): Buffer {
  const ecb = createCipheriv(`aes-${key.length * 8}-ecb`, key, null).setAutoPadding(false);
  const l = BigInt(`0x${ecb.update(Buffer.alloc(16)).toString('hex')}`);
  const mask = (1n << 128n) - 1n;
  const dbl = (x: bigint): bigint => ((x << 1n) & mask) ^ (x >> 127n === 1n ? 0x87n : 0n);
  const toBlock = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(32, '0'), 'hex');
  const k1 = toBlock(dbl(l));
  const k2 = toBlock(dbl(dbl(l)));

  const complete = message.length > 0 && message.length % 16 === 0;
  const padded = complete
    ? Buffer.from(message)
    : Buffer.concat([message, Buffer.from([0x80]), Buffer.alloc(15 - (message.length % 16))]);
  const subkey = complete ? k1 : k2;
  const lastStart = padded.length - 16;
  for (let i = 0; i < 16; i++) padded[lastStart + i]! ^= subkey[i]!;

  const cbc = createCipheriv(`aes-${key.length * 8}-cbc`, key, Buffer.alloc(16));
  cbc.setAutoPadding(false);
  const out = Buffer.concat([cbc.update(padded), cbc.final()]);
  return out.subarray(out.length - 16);
}

describe('AES-CMAC (RFC 4493)', () => {
  it('derives the subkeys of RFC 4493 §4', () => {
    const { k1, k2 } = cmacSubkeys(rfcKey);
    expect(k1.toString('hex')).toBe('fbeed618357133667c85e08f7236a8de');
    expect(k2.toString('hex')).toBe('f7ddac306ae266ccf90bc11ee46d513b');
  });

  it.each([
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('matches RFC 4493 example with a %i-byte message', (length, tag) => {
    expect(aesCmac(rfcKey, rfcMessage64.subarray(0, length)).toString('hex')).toBe(tag);
  });

  it('accepts AES-192 and AES-256 keys (SP 800-38B examples, empty message)', () => {
    const key192 = hex('8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b');
    const key256 = hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
    expect(aesCmac(key192, Buffer.alloc(0)).toString('hex')).toBe(
      'd17ddf46adaacde531cac483de7a9367',
    );
    expect(aesCmac(key256, Buffer.alloc(0)).toString('hex')).toBe(
      '028962f61b7bf89efc6b551f4667d983',
    );
  });

  it('refuses a key of any other length', () => {
    for (const length of [0, 8, 15, 17, 31, 33]) {
      expect(() => aesCmac(Buffer.alloc(length), Buffer.alloc(0))).toThrow(
        expect.objectContaining({ code: 'KEY_INVALID' }),
      );
    }
  });

  it('agrees with an independent CBC-MAC reference for any key size and message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.uint8Array({ maxLength: 100 }),
        (key, message) => {
          const k = Buffer.from(key);
          const m = Buffer.from(message);
          expect(aesCmac(k, m).equals(referenceCmac(k, m))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not modify its input', () => {
    const message = Buffer.from(rfcMessage64.subarray(0, 40));
    aesCmac(rfcKey, message);
    expect(message.equals(rfcMessage64.subarray(0, 40))).toBe(true);
  });
});
