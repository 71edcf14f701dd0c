import { timingSafeEqual } from 'node:crypto';
import { aesCmac } from '../crypto/index.js';
import { AppError } from '../errors/index.js';
import { isInt32, isUint, requireBlock, requireField } from './bytes.js';
import { LAYOUT_V1, type CardLayout } from './layout.js';
import { decodeValueBlock, encodeValueBlock, isValueBlock } from './value-block.js';

export const PURSE_MAX_FEN = 2147483647;
export const PURSE_MAC_LENGTH = 8;

export const PURSE_KINDS = [
  'issue',
  'load',
  'purchase',
  'transit',
  'correction',
  'refund',
] as const;
/** What the last purse update was, kept on the card for diagnosis (not covered by the MAC). */
export type PurseKind = (typeof PURSE_KINDS)[number];

export interface PurseRecord {
  counter: number;
  mac: Buffer;
  lastKind: PurseKind;
}

export interface PurseState {
  balanceFen: number;
  counter: number;
  /** Which block the record's MAC vouched for. */
  source: 'value' | 'backup';
  /** Value and backup agree and are vouched: no update was cut short. */
  consistent: boolean;
}

export interface PurseBlocks {
  value: Buffer;
  backup: Buffer;
  record: Buffer;
}

const MAC_LABEL = Buffer.from('CCP1', 'ascii');

/** First 8 bytes of AES-CMAC(key, 'CCP1' ‖ uid ‖ int32 BE balance ‖ u32 BE counter). */
export function purseMac(
  key: Buffer,
  { uid, balanceFen, counter }: { uid: Buffer; balanceFen: number; counter: number },
): Buffer {
  requireField(isInt32(balanceFen), 'balanceFen', 'a signed 32-bit number of fen');
  requireField(isUint(counter, 32), 'counter', 'an unsigned 32-bit number');
  const tail = Buffer.alloc(8);
  tail.writeInt32BE(balanceFen, 0);
  tail.writeUInt32BE(counter, 4);
  const full = aesCmac(key, Buffer.concat([MAC_LABEL, uid, tail]));
  const mac = Buffer.from(full.subarray(0, PURSE_MAC_LENGTH));
  full.fill(0);
  return mac;
}

export function encodePurseRecord({ counter, mac, lastKind }: PurseRecord): Buffer {
  requireField(isUint(counter, 32), 'counter', 'an unsigned 32-bit number');
  requireField(mac.length === PURSE_MAC_LENGTH, 'mac', 'a purse MAC is 8 bytes');
  const kind = PURSE_KINDS.indexOf(lastKind);
  requireField(kind >= 0, 'lastKind', 'not a purse update kind');
  const b = Buffer.alloc(16);
  b.writeUInt32BE(counter, 0);
  mac.copy(b, 4);
  b[12] = kind + 1;
  return b;
}

export function decodePurseRecord(b: Buffer): PurseRecord {
  requireBlock(b, 'A purse record');
  const lastKind = PURSE_KINDS[(b[12] ?? 0) - 1];
  if (lastKind === undefined || b.subarray(13).some((x) => x !== 0)) {
    throw new AppError('CARD_DATA_INVALID', { message: 'The purse record block does not decode' });
  }
  return { counter: b.readUInt32BE(0), mac: Buffer.from(b.subarray(4, 12)), lastKind };
}

function vouched(block: Buffer, record: PurseRecord, uid: Buffer, key: Buffer): number | null {
  if (!isValueBlock(block)) return null;
  const { value } = decodeValueBlock(block);
  const expected = purseMac(key, { uid, balanceFen: value, counter: record.counter });
  return timingSafeEqual(expected, record.mac) ? value : null;
}

/**
 * The purse as the record's MAC vouches for it. The update order (scratch block, record, other
 * block) means a torn update leaves either the old balance vouched by the old record or the new
 * balance vouched by the new record, in one block or both.
 */
export function decodePurse(blocks: PurseBlocks, uid: Buffer, macKey: Buffer): PurseState {
  requireBlock(blocks.value, 'The purse value block');
  requireBlock(blocks.backup, 'The purse backup block');
  const record = decodePurseRecord(blocks.record);
  const fromValue = vouched(blocks.value, record, uid, macKey);
  const fromBackup = vouched(blocks.backup, record, uid, macKey);
  if (fromValue !== null) {
    return {
      balanceFen: fromValue,
      counter: record.counter,
      source: 'value',
      consistent: fromBackup === fromValue,
    };
  }
  if (fromBackup !== null) {
    return { balanceFen: fromBackup, counter: record.counter, source: 'backup', consistent: false };
  }
  // A value block torn into a malformed one is only fatal when the backup cannot stand in.
  if (!isValueBlock(blocks.value)) throw new AppError('VALUE_BLOCK_INVALID');
  throw new AppError('PURSE_MAC_INVALID');
}

export interface PurseUpdate {
  uid: Buffer;
  macKey: Buffer;
  newBalanceFen: number;
  newCounter: number;
  lastKind: PurseKind;
  /**
   * Which block the current record vouches for (PurseState.source); default 'value'. After a tear
   * between the commit and the value write only the backup holds the balance, so the next update
   * must use the value block as its scratch copy, never overwrite the one valid copy.
   */
  from?: PurseState['source'];
}

/**
 * The three writes of one purse update, in the only order that survives a tear: the new balance
 * into the block the record does not vouch for (scratch), then the record (the commit point),
 * then the other block.
 */
export function purseUpdateWrites(
  update: PurseUpdate,
  layout: CardLayout = LAYOUT_V1,
): Array<{ block: number; data: Buffer }> {
  const { uid, macKey, newBalanceFen, newCounter, lastKind } = update;
  const { purseValue, purseBackup, purseRecord } = layout.blocks;
  const mac = purseMac(macKey, { uid, balanceFen: newBalanceFen, counter: newCounter });
  const [scratch, last] =
    update.from === 'backup' ? [purseValue, purseBackup] : [purseBackup, purseValue];
  return [
    { block: scratch, data: encodeValueBlock(newBalanceFen, scratch) },
    { block: purseRecord, data: encodePurseRecord({ counter: newCounter, mac, lastKind }) },
    { block: last, data: encodeValueBlock(newBalanceFen, last) },
  ];
}
