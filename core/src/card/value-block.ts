import { AppError } from '../errors/index.js';
import { INT32_MAX, INT32_MIN } from './bytes.js';

/**
 * A MIFARE Classic value block (MF1S50yyX §8.6.2.1): value ‖ ~value ‖ value as little-endian
 * int32, then address ‖ ~address ‖ address ‖ ~address.
 */
export function encodeValueBlock(value: number, address: number): Buffer {
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new AppError('VALUE_BLOCK_INVALID', {
      message: 'A value block holds a signed 32-bit value',
    });
  }
  if (!Number.isInteger(address) || address < 0 || address > 0xff) {
    throw new AppError('VALUE_BLOCK_INVALID', { message: 'A value block address is 0 to 255' });
  }
  const b = Buffer.alloc(16);
  b.writeInt32LE(value, 0);
  b.writeInt32LE(~value, 4);
  b.writeInt32LE(value, 8);
  b[12] = address;
  b[13] = ~address & 0xff;
  b[14] = address;
  b[15] = ~address & 0xff;
  return b;
}

function formatOk(b: Buffer): boolean {
  if (b.length !== 16) return false;
  const v = b.readInt32LE(0);
  const a = b[12] ?? 0;
  return (
    b.readInt32LE(4) === ~v &&
    b.readInt32LE(8) === v &&
    b[13] === (~a & 0xff) &&
    b[14] === a &&
    b[15] === (~a & 0xff)
  );
}

export function isValueBlock(b: Buffer): boolean {
  return formatOk(b);
}

export function decodeValueBlock(b: Buffer): { value: number; address: number } {
  if (!formatOk(b)) throw new AppError('VALUE_BLOCK_INVALID');
  return { value: b.readInt32LE(0), address: b[12] ?? 0 };
}
