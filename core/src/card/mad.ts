import { AppError } from '../errors/index.js';
import { BLOCK_SIZE, crc8, isUint, requireBlock, requireField } from './bytes.js';

export { MAD_KEY_A } from './keys.js';
export { MAD_GPB } from './layout.js';

export const MAD_AID_FREE = 0x0000;
const MAD1_AIDS = 15;

/** AN10787 CRC-8 (polynomial 0x1D, preset 0xC7) over the info byte and the 30 AID bytes. */
export function madCrc(bytes: Buffer): number {
  return crc8(bytes, 0xc7);
}

/**
 * MAD1 in blocks 1 and 2: CRC ‖ info byte ‖ AIDs of sectors 1–15, each little-endian (application
 * code, then function cluster code).
 */
export function encodeMad({ infoByte = 0, aids }: { infoByte?: number; aids: readonly number[] }): {
  block1: Buffer;
  block2: Buffer;
} {
  requireField(aids.length === MAD1_AIDS, 'aids', 'one AID for each of sectors 1 to 15');
  requireField(isUint(infoByte, 8) && (infoByte & 0x3f) < 16, 'infoByte', 'a sector pointer 0–15');
  const body = Buffer.alloc(1 + 2 * MAD1_AIDS);
  body[0] = infoByte;
  aids.forEach((aid, i) => {
    requireField(isUint(aid, 16), `aids[${i}]`, 'u16');
    body.writeUInt16LE(aid, 1 + 2 * i);
  });
  const block1 = Buffer.alloc(BLOCK_SIZE);
  block1[0] = madCrc(body);
  body.copy(block1, 1, 0, BLOCK_SIZE - 1);
  const block2 = Buffer.from(body.subarray(BLOCK_SIZE - 1));
  return { block1, block2 };
}

export function decodeMad(block1: Buffer, block2: Buffer): { infoByte: number; aids: number[] } {
  requireBlock(block1, 'MAD block 1');
  requireBlock(block2, 'MAD block 2');
  const body = Buffer.concat([block1.subarray(1), block2]);
  if (madCrc(body) !== block1[0]) {
    throw new AppError('CARD_DATA_INVALID', { message: 'The MAD CRC does not match' });
  }
  const aids = Array.from({ length: MAD1_AIDS }, (_, i) => body.readUInt16LE(1 + 2 * i));
  return { infoByte: body[0] ?? 0, aids };
}
