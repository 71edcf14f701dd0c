import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { decodeValueBlock, encodeValueBlock, isValueBlock } from './value-block.js';

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const address = fc.integer({ min: 0, max: 255 });

describe('value blocks', () => {
  it('lays out value, ~value, value, addr, ~addr, addr, ~addr little-endian', () => {
    // 100 fen at block 8: 64 00 00 00 | 9B FF FF FF | 64 00 00 00 | 08 F7 08 F7
    expect(encodeValueBlock(100, 8).toString('hex')).toBe('640000009bffffff6400000008f708f7');
    expect(encodeValueBlock(-1, 0).toString('hex')).toBe('ffffffff00000000ffffffff00ff00ff');
    expect(encodeValueBlock(0, 0xff).toString('hex')).toBe('00000000ffffffff00000000ff00ff00');
  });

  it('round-trips every int32 value and address', () => {
    fc.assert(
      fc.property(int32, address, (value, addr) => {
        const b = encodeValueBlock(value, addr);
        expect(isValueBlock(b)).toBe(true);
        expect(decodeValueBlock(b)).toEqual({ value, address: addr });
      }),
    );
  });

  it('rejects a block with any single byte changed', () => {
    fc.assert(
      fc.property(
        int32,
        address,
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 1, max: 255 }),
        (value, addr, at, xor) => {
          const b = encodeValueBlock(value, addr);
          b[at] = (b[at] ?? 0) ^ xor;
          expect(isValueBlock(b)).toBe(false);
          expect(() => decodeValueBlock(b)).toThrow(AppError);
        },
      ),
    );
  });

  it('rejects values outside int32, bad addresses and all-zero blocks', () => {
    expect(() => encodeValueBlock(2 ** 31, 0)).toThrow(AppError);
    expect(() => encodeValueBlock(1.5, 0)).toThrow(AppError);
    expect(() => encodeValueBlock(0, 256)).toThrow(AppError);
    expect(isValueBlock(Buffer.alloc(16))).toBe(false);
    expect(isValueBlock(Buffer.alloc(15))).toBe(false);
  });
});
