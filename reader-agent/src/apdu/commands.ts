import type { KeyType } from '@citycard/core/card';

/** Status words a PC/SC reader answers to the part 3 pseudo-APDUs for storage cards. */
export const SW = {
  OK: 0x9000,
  /** "No information given": what readers answer to a refused key or a failed read/write. */
  FAILED: 0x6300,
  WRONG_LENGTH: 0x6700,
  /** Security status not satisfied: the sector of the block is not authenticated. */
  NOT_AUTHENTICATED: 0x6982,
  /** Command not allowed: the access bits forbid it (or block 0 is written). */
  NOT_ALLOWED: 0x6986,
  KEY_NUMBER_INVALID: 0x6988,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  /** Address out of range. */
  OUT_OF_RANGE: 0x6a82,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

export const KEY_TYPE_BYTE: Readonly<Record<KeyType, number>> = { A: 0x60, B: 0x61 };

export const apdu = {
  getUid: (): Buffer => Buffer.from([0xff, 0xca, 0x00, 0x00, 0x00]),
  loadKey: (slot: number, key: Buffer): Buffer =>
    Buffer.concat([Buffer.from([0xff, 0x82, 0x00, slot, 0x06]), key]),
  authenticate: (block: number, keyType: KeyType, slot: number): Buffer =>
    Buffer.from([0xff, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, block, KEY_TYPE_BYTE[keyType], slot]),
  read: (block: number): Buffer => Buffer.from([0xff, 0xb0, 0x00, block, 0x10]),
  write: (block: number, data: Buffer): Buffer =>
    Buffer.concat([Buffer.from([0xff, 0xd6, 0x00, block, 0x10]), data]),
  /** ACR122U LED and buzzer control (FF 00 40): LED state byte, then T1, T2, repetitions, buzzer link. */
  acr122Led: (ledState: number, t1: number, t2: number, repeat: number, buzzer: number): Buffer =>
    Buffer.from([0xff, 0x00, 0x40, ledState, 0x04, t1, t2, repeat, buzzer]),
};

export function statusWord(response: Buffer): number | null {
  if (response.length < 2) return null;
  return response.readUInt16BE(response.length - 2);
}

export function withStatus(sw: number, data?: Buffer): Buffer {
  const tail = Buffer.from([sw >> 8, sw & 0xff]);
  return data ? Buffer.concat([data, tail]) : tail;
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
