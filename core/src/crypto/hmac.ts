import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors/index.js';

// Shorter keys would make a blind index guessable faster than its 256-bit output suggests.
const MIN_INDEX_KEY_LENGTH = 16;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function hmacSha256(key: Buffer, data: Buffer | string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * The form a value is indexed under, so that what a clerk types finds what was stored: Unicode
 * compatibility forms folded (full-width digits become ASCII), outer blanks dropped, inner runs of
 * white space made one space, letters lower-cased.
 */
export function normaliseForIndex(value: string): string {
  // Lower-casing can leave a string that NFKC would change again, hence the second pass.
  const folded = value.normalize('NFKC').toLowerCase().normalize('NFKC');
  return folded.replace(/\s+/gu, ' ').trim();
}

/**
 * A keyed, deterministic digest of a normalised value, stored beside its encrypted column so that
 * equality search works without decrypting. Keep one key per column (or per purpose): a shared key
 * would let equal values be matched across columns.
 */
export function blindIndex(key: Buffer, value: string): string {
  if (key.length < MIN_INDEX_KEY_LENGTH) {
    throw new AppError('KEY_INVALID', {
      message: 'A blind-index key must be at least 16 bytes',
      details: { length: key.length },
    });
  }
  return hmacSha256(key, normaliseForIndex(value)).toString('hex');
}

/** Constant-time comparison; a length mismatch is simply false (lengths are not secret). */
export function timingSafeEqualBuffer(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** Compares two hex strings as bytes, case-insensitively; malformed hex is never equal. */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (!HEX.test(a) || !HEX.test(b)) return false;
  return timingSafeEqualBuffer(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
