import { AppError } from '../errors/index.js';
import type { KeyType } from './types.js';

/** Access bits C1C2C3 of one block as a number, C1 the high bit: 0b100 = 4 is C1=1, C2=0, C3=0. */
export type AccessCondition = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface SectorAccess {
  readonly data: readonly [AccessCondition, AccessCondition, AccessCondition];
  readonly trailer: AccessCondition;
}

export type AccessOp =
  | 'read'
  | 'write'
  | 'increment'
  | 'decrement'
  | 'readKeyA'
  | 'writeKeyA'
  | 'readAccess'
  | 'writeAccess'
  | 'readKeyB'
  | 'writeKeyB';

export type BlockOffset = 0 | 1 | 2 | 3;

export const TRANSPORT_KEY: Buffer = Buffer.from('FFFFFFFFFFFF', 'hex');
export const TRANSPORT_ACCESS: SectorAccess = Object.freeze({
  data: Object.freeze([0, 0, 0] as const),
  trailer: 1,
});
export const TRANSPORT_GPB = 0x69;

const KEY_LENGTH = 6;

function nibble(conditions: readonly AccessCondition[], bit: 0 | 1 | 2): number {
  // bit 0 = C1 (high bit of the condition), 1 = C2, 2 = C3; nibble bit n belongs to block n.
  let out = 0;
  conditions.forEach((c, block) => {
    if (((c >> (2 - bit)) & 1) === 1) out |= 1 << block;
  });
  return out;
}

/** Bytes 6–8 of a trailer, with the inverted copies the card checks (MF1S50yyX §8.7.1). */
export function encodeAccessBits(a: SectorAccess): Buffer {
  const all = [...a.data, a.trailer];
  for (const c of all) {
    if (!Number.isInteger(c) || c < 0 || c > 7) {
      throw new AppError('ACCESS_BITS_INVALID', { message: 'An access condition is 0 to 7' });
    }
  }
  const c1 = nibble(all, 0);
  const c2 = nibble(all, 1);
  const c3 = nibble(all, 2);
  return Buffer.from([((~c2 & 0xf) << 4) | (~c1 & 0xf), (c1 << 4) | (~c3 & 0xf), (c3 << 4) | c2]);
}

export function decodeAccessBits(b: Buffer): SectorAccess {
  if (b.length !== 3) {
    throw new AppError('ACCESS_BITS_INVALID', { message: 'Access bits are 3 bytes' });
  }
  const [b6 = 0, b7 = 0, b8 = 0] = b;
  const c1 = b7 >> 4;
  const c2 = b8 & 0xf;
  const c3 = b8 >> 4;
  const consistent =
    (b6 & 0xf) === (~c1 & 0xf) && b6 >> 4 === (~c2 & 0xf) && (b7 & 0xf) === (~c3 & 0xf);
  if (!consistent) {
    throw new AppError('ACCESS_BITS_INVALID', {
      message: 'The inverted copies of the access bits disagree (a card bricks such a sector)',
    });
  }
  const cond = (block: number): AccessCondition =>
    ((((c1 >> block) & 1) << 2) |
      (((c2 >> block) & 1) << 1) |
      ((c3 >> block) & 1)) as AccessCondition;
  return { data: [cond(0), cond(1), cond(2)], trailer: cond(3) };
}

type Who = 'never' | 'A' | 'B' | 'AB';

// MF1S50yyX table 8 (data blocks): read, write, increment, decrement/transfer/restore.
const DATA_TABLE: Record<AccessCondition, readonly [Who, Who, Who, Who]> = {
  0: ['AB', 'AB', 'AB', 'AB'],
  2: ['AB', 'never', 'never', 'never'],
  4: ['AB', 'B', 'never', 'never'],
  6: ['AB', 'B', 'B', 'AB'],
  1: ['AB', 'never', 'never', 'AB'],
  3: ['B', 'B', 'never', 'never'],
  5: ['B', 'never', 'never', 'never'],
  7: ['never', 'never', 'never', 'never'],
};

// MF1S50yyX table 7 (sector trailer): key A write; access bits read, write; key B read, write.
// Key A is never readable.
const TRAILER_TABLE: Record<AccessCondition, readonly [Who, Who, Who, Who, Who]> = {
  0: ['A', 'A', 'never', 'A', 'A'],
  2: ['never', 'A', 'never', 'A', 'never'],
  4: ['B', 'AB', 'never', 'never', 'B'],
  6: ['never', 'AB', 'never', 'never', 'never'],
  1: ['A', 'A', 'A', 'A', 'A'],
  3: ['B', 'AB', 'B', 'never', 'B'],
  5: ['never', 'AB', 'B', 'never', 'never'],
  7: ['never', 'AB', 'never', 'never', 'never'],
};

/** Key B readable in the trailer means key B cannot serve for authentication in this sector. */
export function keyBReadable(a: SectorAccess): boolean {
  return TRAILER_TABLE[a.trailer][3] !== 'never';
}

function allows(who: Who, key: KeyType): boolean {
  return who === 'AB' || who === key;
}

function trailerWho(condition: AccessCondition, op: AccessOp): Who | null {
  const row = TRAILER_TABLE[condition];
  switch (op) {
    case 'readKeyA':
      return 'never';
    case 'writeKeyA':
      return row[0];
    case 'readAccess':
      return row[1];
    case 'writeAccess':
      return row[2];
    case 'readKeyB':
      return row[3];
    case 'writeKeyB':
      return row[4];
    case 'read':
    case 'write':
    case 'increment':
    case 'decrement':
      return null;
  }
}

function dataWho(condition: AccessCondition, op: AccessOp): Who | null {
  const row = DATA_TABLE[condition];
  switch (op) {
    case 'read':
      return row[0];
    case 'write':
      return row[1];
    case 'increment':
      return row[2];
    case 'decrement':
      return row[3];
    case 'readKeyA':
    case 'writeKeyA':
    case 'readAccess':
    case 'writeAccess':
    case 'readKeyB':
    case 'writeKeyB':
      return null;
  }
}

/**
 * Whether a command is allowed after authenticating with `key` (MF1S50yyX §8.7). Trailer ops on
 * data blocks and data ops on the trailer are never allowed.
 */
export function permits(a: SectorAccess, offset: BlockOffset, op: AccessOp, key: KeyType): boolean {
  if (key === 'B' && keyBReadable(a)) return false;
  const who = offset === 3 ? trailerWho(a.trailer, op) : dataWho(a.data[offset], op);
  return who !== null && allows(who, key);
}

export interface SectorNeeds {
  readonly issuerKey: KeyType;
  readonly writeData: readonly (0 | 1 | 2)[];
  readonly rewriteTrailer: boolean;
  readonly allowPermanent?: boolean;
}

/** The reasons these access conditions do not meet the issuer's needs; empty when they do. */
export function sectorAccessProblems(a: SectorAccess, needs: SectorNeeds): string[] {
  const reasons: string[] = [];
  const key = needs.issuerKey;
  if (key === 'B' && keyBReadable(a)) {
    reasons.push('key B is readable under this trailer condition, so it cannot authenticate');
  }
  if (needs.rewriteTrailer) {
    for (const op of ['writeKeyA', 'writeAccess', 'writeKeyB'] as const) {
      if (!permits(a, 3, op, key)) reasons.push(`key ${key} cannot ${op} in the trailer`);
    }
  }
  for (const offset of needs.writeData) {
    if (!permits(a, offset, 'write', key)) {
      reasons.push(`key ${key} cannot write data block ${offset}`);
    }
  }
  const frozen = !permits(a, 3, 'writeAccess', 'A') && !permits(a, 3, 'writeAccess', 'B');
  if (frozen && needs.allowPermanent !== true) {
    reasons.push('no key can ever change these access bits again (permanent)');
  }
  return reasons;
}

/** Throws ACCESS_BITS_INVALID with `details.reasons` unless the conditions meet `needs`. */
export function validateSectorAccess(a: SectorAccess, needs: SectorNeeds): void {
  encodeAccessBits(a);
  const reasons = sectorAccessProblems(a, needs);
  if (reasons.length > 0) {
    throw new AppError('ACCESS_BITS_INVALID', { details: { reasons } });
  }
}

export interface TrailerInput {
  readonly keyA: Buffer;
  readonly keyB: Buffer;
  readonly access: SectorAccess;
  readonly gpb: number;
}

export function buildTrailer({ keyA, keyB, access, gpb }: TrailerInput): Buffer {
  if (keyA.length !== KEY_LENGTH || keyB.length !== KEY_LENGTH) {
    throw new AppError('KEY_INVALID', { message: 'A MIFARE Classic key is 6 bytes' });
  }
  if (!Number.isInteger(gpb) || gpb < 0 || gpb > 0xff) {
    throw new AppError('ACCESS_BITS_INVALID', { message: 'The general purpose byte is 0 to 255' });
  }
  return Buffer.concat([keyA, encodeAccessBits(access), Buffer.from([gpb]), keyB]);
}

/** The trailer of a blank card: transport keys, FF 07 80, GPB 0x69. */
export function transportTrailer(): Buffer {
  return buildTrailer({
    keyA: TRANSPORT_KEY,
    keyB: TRANSPORT_KEY,
    access: TRANSPORT_ACCESS,
    gpb: TRANSPORT_GPB,
  });
}
