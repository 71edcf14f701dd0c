import { AppError } from '../errors/index.js';

export const BLOCK_SIZE = 16;
export const BLOCKS_1K = 64;
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
export const UINT32_MAX = 2 ** 32 - 1;

/** Upper-case hex, the form plans and reports carry. */
export function hex(b: Buffer): string {
  return b.toString('hex').toUpperCase();
}

export function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX;
}

export function isUint(n: number, bits: 8 | 16 | 32): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 2 ** bits - 1;
}

/** Throws CARD_DATA_INVALID naming the field, for values that do not fit their bytes. */
export function requireField(ok: boolean, field: string, why: string): void {
  if (!ok) {
    throw new AppError('CARD_DATA_INVALID', {
      message: `${field}: ${why}`,
      details: { field },
    });
  }
}

export function requireBlock(b: Buffer, what: string): void {
  if (b.length !== BLOCK_SIZE) {
    throw new AppError('CARD_DATA_INVALID', {
      message: `${what} must be ${BLOCK_SIZE} bytes`,
      details: { length: b.length },
    });
  }
}

export function isZero(b: Buffer): boolean {
  return b.every((x) => x === 0);
}

/** CRC-8 as NXP AN10787 defines it for the MAD: polynomial 0x1D, preset 0xC7, MSB first. */
export function crc8(bytes: Buffer, preset = 0xc7): number {
  let crc = preset;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x80 ? ((crc << 1) ^ 0x1d) & 0xff : (crc << 1) & 0xff;
    }
  }
  return crc;
}

/** CRC-16/CCITT-FALSE (polynomial 0x1021, preset 0xFFFF); check value 0x29B1 for "123456789". */
export function crc16(bytes: Buffer): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}
