import { AppError } from '../errors/index.js';
import { AES_BLOCK, cmacOverBlocks, cmacSubkeys, padIso9797M2 } from './cmac.js';

// AN10922 §2.2: the diversification constant for an AES-128 key, prefixed to M.
const DIV_CONSTANT_AES128 = 0x01;
const MAX_M_LENGTH = 31;
const DIV_INPUT_LENGTH = 2 * AES_BLOCK;

function keyInvalid(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('KEY_INVALID', details ? { message, details } : { message });
}

/**
 * AES-128 key diversification per NXP AN10922 §2.2: CMAC over D = 0x01 ‖ M, where D is always two
 * blocks. M of 31 bytes fills D exactly and takes K1; shorter M is padded 0x80 00… and takes K2.
 */
export function diversifyAes128(masterKey: Buffer, m: Buffer): Buffer {
  if (masterKey.length !== 16) {
    throw keyInvalid('The AN10922 master key must be 16 bytes', { length: masterKey.length });
  }
  if (m.length < 1 || m.length > MAX_M_LENGTH) {
    throw keyInvalid('The AN10922 diversification input must be 1 to 31 bytes', {
      length: m.length,
    });
  }
  const d = Buffer.concat([Buffer.from([DIV_CONSTANT_AES128]), m]);
  const { k1, k2 } = cmacSubkeys(masterKey);
  if (d.length === DIV_INPUT_LENGTH) return cmacOverBlocks(masterKey, d, k1);
  return cmacOverBlocks(masterKey, padIso9797M2(d, DIV_INPUT_LENGTH), k2);
}

export type ClassicKeyType = 'A' | 'B';

export interface ClassicKeyInput {
  /** 16-byte AES master key for this key slot and version. */
  readonly masterKey: Buffer;
  /** Card UID: 4 bytes (single size) or 7 bytes (double size). */
  readonly uid: Buffer;
  /** 0–15 on a 1K card, 0–39 on a 4K card. */
  readonly sector: number;
  readonly keyType: ClassicKeyType;
  /** Scheme-wide identifier; also the place to bind a key version. */
  readonly systemId: Buffer;
}

export const CLASSIC_KEY_LENGTH = 6;
const MAX_SECTOR = 39;
const KEY_TYPE_BYTE: Record<ClassicKeyType, number> = { A: 0x0a, B: 0x0b };

/** The AN10922 diversification input M = UID ‖ sector ‖ key type ‖ system id. */
export function classicDiversificationInput(input: ClassicKeyInput): Buffer {
  const { uid, sector, keyType, systemId } = input;
  if (uid.length !== 4 && uid.length !== 7) {
    throw keyInvalid('A MIFARE Classic UID must be 4 or 7 bytes', { length: uid.length });
  }
  if (!Number.isInteger(sector) || sector < 0 || sector > MAX_SECTOR) {
    throw keyInvalid('A MIFARE Classic sector must be an integer from 0 to 39', { sector });
  }
  const typeByte = KEY_TYPE_BYTE[keyType];
  if (typeByte === undefined) throw keyInvalid('The key type must be A or B');
  const m = Buffer.concat([uid, Buffer.from([sector, typeByte]), systemId]);
  if (m.length > MAX_M_LENGTH) {
    throw keyInvalid('UID, sector, key type and system id together exceed 31 bytes', {
      length: m.length,
    });
  }
  return m;
}

/** A 6-byte MIFARE Classic sector key: the first bytes of the AN10922 AES-128 diversified key. */
export function diversifyClassicKey(input: ClassicKeyInput): Buffer {
  const m = classicDiversificationInput(input);
  const full = diversifyAes128(input.masterKey, m);
  const key = Buffer.from(full.subarray(0, CLASSIC_KEY_LENGTH));
  // The other ten bytes are key material too; leave none of it behind in the heap.
  full.fill(0);
  return key;
}
