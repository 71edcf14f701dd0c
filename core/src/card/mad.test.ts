import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { decodeMad, encodeMad, madCrc } from './mad.js';

function body(info: number, aidBytes: string): Buffer {
  return Buffer.concat([Buffer.from([info]), Buffer.from(aidBytes.padEnd(60, '0'), 'hex')]);
}

describe('MAD1', () => {
  it('computes the CRC of the AN10787 example (0x89) and of two real dumps', () => {
    // AN10787's example as libfreefare's tests restate it.
    const doc = body(
      0x01,
      '010801080108' + '000000000000' + '0400' + '0310031002100210' + '000000000000' + '1130',
    );
    expect(doc).toHaveLength(31);
    expect(madCrc(doc)).toBe(0x89);
    expect(madCrc(body(0x01, '03e1'.repeat(5)))).toBe(0xc4);
    expect(madCrc(body(0x01, '03e1'.repeat(6)))).toBe(0xab);
  });

  it('encodes AIDs little-endian after CRC and info byte', () => {
    const aids = [
      0x0801, 0x0801, 0x0801, 0, 0, 0, 0x0004, 0x1003, 0x1003, 0x1002, 0x1002, 0, 0, 0, 0x3011,
    ];
    const { block1, block2 } = encodeMad({ infoByte: 0x01, aids });
    expect(block1.toString('hex')).toBe('8901010801080108000000000000' + '0400');
    expect(block2.toString('hex')).toBe('03100310021002100000000000001130');
    expect(decodeMad(block1, block2)).toEqual({ infoByte: 1, aids });
  });

  it('round-trips and detects corruption', () => {
    const aidArb = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 15, maxLength: 15 });
    fc.assert(
      fc.property(
        aidArb,
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: 1, max: 255 }),
        (aids, info, at, xor) => {
          const { block1, block2 } = encodeMad({ infoByte: info, aids });
          expect(decodeMad(block1, block2)).toEqual({ infoByte: info, aids });
          const target = at < 16 ? block1 : block2;
          target[at % 16] = (target[at % 16] ?? 0) ^ xor;
          expect(() => decodeMad(block1, block2)).toThrow(AppError);
        },
      ),
    );
  });

  it('needs exactly 15 AIDs', () => {
    expect(() => encodeMad({ aids: [1, 2, 3] })).toThrow(AppError);
  });
});
