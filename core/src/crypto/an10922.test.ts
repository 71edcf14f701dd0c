import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesCmac } from './cmac.js';
import {
  classicDiversificationInput,
  diversifyAes128,
  diversifyClassicKey,
  type ClassicKeyInput,
} from './an10922.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const master = hex('00112233445566778899AABBCCDDEEFF');
const keyInvalid: unknown = expect.objectContaining({ code: 'KEY_INVALID' });

describe('AN10922 AES-128 diversification', () => {
  it('reproduces the application note example (UID ‖ AID ‖ "NXP Abu")', () => {
    const m = Buffer.concat([hex('04782E21801D80'), hex('3042F5'), Buffer.from('NXP Abu')]);
    expect(m.toString('hex').toUpperCase()).toBe('04782E21801D803042F54E585020416275');
    expect(diversifyAes128(master, m).toString('hex').toUpperCase()).toBe(
      'A8DD63A3B89D54B37CA802473FDA9175',
    );
  });

  it('equals plain CMAC over the unpadded input when 0x01 ‖ M already spans two blocks', () => {
    // With 16 ≤ |M| ≤ 30 the note's padding to 32 bytes is exactly CMAC's own padding; with
    // |M| = 31 there is no padding and K1 applies, as in plain CMAC of a whole block.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 31 }), (m) => {
        const d = Buffer.concat([Buffer.from([0x01]), m]);
        expect(diversifyAes128(master, Buffer.from(m)).equals(aesCmac(master, d))).toBe(true);
      }),
    );
  });

  it('pads a short M to two blocks, unlike plain CMAC', () => {
    const m = hex('0102030405');
    const d = Buffer.concat([Buffer.from([0x01]), m]);
    expect(diversifyAes128(master, m).equals(aesCmac(master, d))).toBe(false);
    const twoBlocks = Buffer.concat([d, Buffer.from([0x80]), Buffer.alloc(32 - d.length - 1)]);
    // CMAC of a whole 32-byte input uses K1, so these must differ from the K2 result too.
    expect(diversifyAes128(master, m).equals(aesCmac(master, twoBlocks))).toBe(false);
  });

  it('refuses an empty or over-long M and a master key that is not 16 bytes', () => {
    expect(() => diversifyAes128(master, Buffer.alloc(0))).toThrow(keyInvalid);
    expect(() => diversifyAes128(master, Buffer.alloc(32))).toThrow(keyInvalid);
    expect(() => diversifyAes128(Buffer.alloc(24), Buffer.alloc(8))).toThrow(keyInvalid);
    expect(diversifyAes128(master, Buffer.alloc(31)).length).toBe(16);
  });
});

describe('MIFARE Classic sector keys', () => {
  const base: ClassicKeyInput = {
    masterKey: master,
    uid: hex('04782E21801D80'),
    sector: 1,
    keyType: 'A',
    systemId: Buffer.from('citycard'),
  };

  it('builds M as UID ‖ sector ‖ 0x0A/0x0B ‖ system id', () => {
    expect(classicDiversificationInput(base).toString('hex')).toBe(
      '04782e21801d80010a' + Buffer.from('citycard').toString('hex'),
    );
    expect(classicDiversificationInput({ ...base, keyType: 'B', sector: 39 })[8]).toBe(0x0b);
  });

  it('is the first six bytes of the AN10922 key for that M', () => {
    const key = diversifyClassicKey(base);
    const full = diversifyAes128(master, classicDiversificationInput(base));
    expect(key.equals(full.subarray(0, 6))).toBe(true);
    expect(diversifyClassicKey(base).equals(key)).toBe(true);
  });

  it('validates UID length, sector range and total length', () => {
    expect(() => diversifyClassicKey({ ...base, uid: Buffer.alloc(5) })).toThrow(keyInvalid);
    expect(() => diversifyClassicKey({ ...base, uid: Buffer.alloc(10) })).toThrow(keyInvalid);
    expect(() => diversifyClassicKey({ ...base, sector: 40 })).toThrow(keyInvalid);
    expect(() => diversifyClassicKey({ ...base, sector: -1 })).toThrow(keyInvalid);
    expect(() => diversifyClassicKey({ ...base, sector: 1.5 })).toThrow(keyInvalid);
    expect(() => diversifyClassicKey({ ...base, masterKey: Buffer.alloc(6) })).toThrow(keyInvalid);
    expect(() => diversifyClassicKey({ ...base, systemId: Buffer.alloc(23) })).toThrow(keyInvalid);
    expect(diversifyClassicKey({ ...base, systemId: Buffer.alloc(22) })).toHaveLength(6);
    expect(() =>
      diversifyClassicKey({ ...base, keyType: 'C' as unknown as ClassicKeyInput['keyType'] }),
    ).toThrow(keyInvalid);
  });

  const input = fc.record({
    uid: fc.oneof(
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.uint8Array({ minLength: 7, maxLength: 7 }),
    ),
    sector: fc.integer({ min: 0, max: 39 }),
    keyType: fc.constantFrom<'A' | 'B'>('A', 'B'),
  });

  it('always gives six bytes, and different keys for different UID, sector or key type', () => {
    fc.assert(
      fc.property(input, input, (a, b) => {
        const ka = diversifyClassicKey({ ...base, ...a, uid: Buffer.from(a.uid) });
        const kb = diversifyClassicKey({ ...base, ...b, uid: Buffer.from(b.uid) });
        expect(ka).toHaveLength(6);
        const same =
          Buffer.from(a.uid).equals(Buffer.from(b.uid)) &&
          a.sector === b.sector &&
          a.keyType === b.keyType;
        expect(ka.equals(kb)).toBe(same);
      }),
      { numRuns: 300 },
    );
  });

  it('gives 80 distinct keys across the sectors and key types of one 4K card', () => {
    const keys = new Set<string>();
    for (let sector = 0; sector <= 39; sector++) {
      for (const keyType of ['A', 'B'] as const) {
        keys.add(diversifyClassicKey({ ...base, sector, keyType }).toString('hex'));
      }
    }
    expect(keys.size).toBe(80);
  });
});
