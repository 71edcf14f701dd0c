import { createCipheriv } from 'node:crypto';
import { AppError } from '../errors/index.js';

export const AES_BLOCK = 16;

// Rb from NIST SP 800-38B for a 128-bit block: the low byte of x^128 reduced.
const RB = 0x87;

export interface CmacSubkeys {
  readonly k1: Buffer;
  readonly k2: Buffer;
}

function cipherName(key: Buffer): string {
  switch (key.length) {
    case 16:
      return 'aes-128-ecb';
    case 24:
      return 'aes-192-ecb';
    case 32:
      return 'aes-256-ecb';
    default:
      throw new AppError('KEY_INVALID', {
        message: 'An AES key must be 16, 24 or 32 bytes',
        details: { length: key.length },
      });
  }
}

/** One raw AES block encryption, the primitive CMAC chains by hand. */
function blockEncryptor(key: Buffer): (block: Buffer) => Buffer {
  const cipher = createCipheriv(cipherName(key), key, null);
  cipher.setAutoPadding(false);
  // ECB without padding keeps no state between blocks, so one cipher object serves them all.
  return (block) => cipher.update(block);
}

function shiftLeftOne(input: Buffer): Buffer {
  const out = Buffer.alloc(input.length);
  let carry = 0;
  for (let i = input.length - 1; i >= 0; i--) {
    const byte = input[i] ?? 0;
    out[i] = ((byte << 1) & 0xff) | carry;
    carry = byte >> 7;
  }
  return out;
}

function doubleInGf128(input: Buffer): Buffer {
  const out = shiftLeftOne(input);
  if (((input[0] ?? 0) & 0x80) !== 0) out[AES_BLOCK - 1] = (out[AES_BLOCK - 1] ?? 0) ^ RB;
  return out;
}

export function xorBlocks(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/** RFC 4493 §2.3: K1 and K2 derived from L = AES(K, 0^128). */
export function cmacSubkeys(key: Buffer): CmacSubkeys {
  const l = blockEncryptor(key)(Buffer.alloc(AES_BLOCK));
  const k1 = doubleInGf128(l);
  const k2 = doubleInGf128(k1);
  return { k1, k2 };
}

/**
 * The CMAC chain over data the caller has already padded to whole blocks, with the caller's choice
 * of subkey folded into the last block. AN10922 needs this because it pads to two blocks where
 * plain CMAC would pad to one.
 */
export function cmacOverBlocks(key: Buffer, blocks: Buffer, lastSubkey: Buffer): Buffer {
  if (blocks.length === 0 || blocks.length % AES_BLOCK !== 0) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'CMAC input must be a non-empty whole number of blocks',
    });
  }
  const encrypt = blockEncryptor(key);
  let state: Buffer = Buffer.alloc(AES_BLOCK);
  const lastStart = blocks.length - AES_BLOCK;
  for (let offset = 0; offset < lastStart; offset += AES_BLOCK) {
    state = encrypt(xorBlocks(state, blocks.subarray(offset, offset + AES_BLOCK)));
  }
  const last = xorBlocks(blocks.subarray(lastStart), lastSubkey);
  return encrypt(xorBlocks(state, last));
}

/** Pads with 0x80 00… up to `length` bytes (ISO/IEC 9797-1 method 2). */
export function padIso9797M2(data: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  data.copy(out);
  out[data.length] = 0x80;
  return out;
}

/** AES-CMAC (RFC 4493; NIST SP 800-38B with AES-128, -192 or -256). Returns the full 16-byte tag. */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const { k1, k2 } = cmacSubkeys(key);
  const complete = message.length > 0 && message.length % AES_BLOCK === 0;
  if (complete) return cmacOverBlocks(key, message, k1);
  const paddedLength = (Math.floor(message.length / AES_BLOCK) + 1) * AES_BLOCK;
  return cmacOverBlocks(key, padIso9797M2(message, paddedLength), k2);
}
