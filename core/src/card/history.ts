import { AppError } from '../errors/index.js';
import { BLOCK_SIZE, isInt32, isUint, isZero, requireBlock, requireField } from './bytes.js';
import { LAYOUT_V1, type CardLayout } from './layout.js';

export const HISTORY_KINDS = ['load', 'purchase', 'transit', 'correction', 'refund'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

export interface HistoryEntry {
  /** Unix seconds. */
  at: number;
  kind: HistoryKind;
  /** Signed: positive credits the purse. */
  amountFen: number;
  balanceAfterFen: number;
  terminalRef: number;
  /** The low byte of the purse counter after this update. */
  counterLow: number;
}

/** at u32 ‖ kind u8 ‖ amount int32 ‖ balance after int32 ‖ terminal u16 ‖ counter low u8 (BE). */
export function encodeHistoryEntry(e: HistoryEntry): Buffer {
  requireField(isUint(e.at, 32), 'at', 'unix seconds (u32)');
  const kind = HISTORY_KINDS.indexOf(e.kind);
  requireField(kind >= 0, 'kind', 'not a history kind');
  requireField(isInt32(e.amountFen), 'amountFen', 'int32 fen');
  requireField(isInt32(e.balanceAfterFen), 'balanceAfterFen', 'int32 fen');
  requireField(isUint(e.terminalRef, 16), 'terminalRef', 'u16');
  requireField(isUint(e.counterLow, 8), 'counterLow', 'u8');
  const b = Buffer.alloc(BLOCK_SIZE);
  b.writeUInt32BE(e.at, 0);
  b[4] = kind + 1;
  b.writeInt32BE(e.amountFen, 5);
  b.writeInt32BE(e.balanceAfterFen, 9);
  b.writeUInt16BE(e.terminalRef, 13);
  b[15] = e.counterLow;
  return b;
}

/** null for an empty (all-zero) slot. */
export function decodeHistoryEntry(b: Buffer): HistoryEntry | null {
  requireBlock(b, 'A history block');
  if (isZero(b)) return null;
  const kind = HISTORY_KINDS[(b[4] ?? 0) - 1];
  if (kind === undefined) {
    throw new AppError('CARD_DATA_INVALID', { message: 'A history block does not decode' });
  }
  return {
    at: b.readUInt32BE(0),
    kind,
    amountFen: b.readInt32BE(5),
    balanceAfterFen: b.readInt32BE(9),
    terminalRef: b.readUInt16BE(13),
    counterLow: b[15] ?? 0,
  };
}

/** The block an update with this (new) purse counter writes its history entry to. */
export function historySlotBlock(counter: number, layout: CardLayout = LAYOUT_V1): number {
  requireField(isUint(counter, 32), 'counter', 'an unsigned 32-bit number');
  const slots = layout.blocks.history;
  const block = slots[counter % slots.length];
  if (block === undefined)
    throw new AppError('CARD_BLOCK_INVALID', { message: 'No history slots' });
  return block;
}
