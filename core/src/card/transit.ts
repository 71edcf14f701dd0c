import { AppError } from '../errors/index.js';
import { BLOCK_SIZE, crc8, isInt32, isUint, isZero, requireBlock, requireField } from './bytes.js';

export const TAP_KINDS = ['entry', 'exit', 'flat', 'purchase'] as const;
export type TapKind = (typeof TAP_KINDS)[number];

export interface LastTap {
  /** Unix seconds. */
  at: number;
  operatorId: number;
  routeId: number;
  stopId: number;
  direction: 0 | 1;
  kind: TapKind;
  fareFen: number;
}

export interface TransitState {
  lastTap: LastTap | null;
  transfer: { windowStartAt: number; count: number; legGroup: number };
  /** `day` counts days since 2000-01-01. */
  daily: { day: number; spentFen: number; rides: number };
  /** Fare held at entry (the maximum fare), corrected at exit. */
  journey: null | {
    entryAt: number;
    operatorId: number;
    routeId: number;
    stopId: number;
    chargedFen: number;
  };
}

export const EMPTY_TRANSIT_STATE: TransitState = Object.freeze({
  lastTap: null,
  transfer: Object.freeze({ windowStartAt: 0, count: 0, legGroup: 0 }),
  daily: Object.freeze({ day: 0, spentFen: 0, rides: 0 }),
  journey: null,
});

// Each block ends with a CRC-8 over its first 15 bytes, except that a block whose content is all
// zeros stays all zeros: that is what a freshly personalised card holds and it means "empty".
function seal(b: Buffer): Buffer {
  if (!isZero(b.subarray(0, 15))) b[15] = crc8(b.subarray(0, 15));
  return b;
}

function open(b: Buffer, name: string): boolean {
  requireBlock(b, `The transit ${name} block`);
  if (isZero(b)) return false;
  if (b[15] !== crc8(b.subarray(0, 15))) {
    throw new AppError('CARD_DATA_INVALID', {
      message: `The transit ${name} block does not decode`,
      details: { block: name },
    });
  }
  return true;
}

function check(ok: boolean, field: string, why: string): void {
  requireField(ok, field, why);
}

function encodeLastTap(t: LastTap | null): Buffer {
  const b = Buffer.alloc(BLOCK_SIZE);
  if (t === null) return b;
  check(isUint(t.at, 32), 'lastTap.at', 'unix seconds (u32)');
  for (const f of ['operatorId', 'routeId', 'stopId'] as const) {
    check(isUint(t[f], 16), `lastTap.${f}`, 'u16');
  }
  check(t.direction === 0 || t.direction === 1, 'lastTap.direction', '0 or 1');
  check(isInt32(t.fareFen), 'lastTap.fareFen', 'int32 fen');
  const kind = TAP_KINDS.indexOf(t.kind);
  check(kind >= 0, 'lastTap.kind', 'entry, exit, flat or purchase');
  b.writeUInt32BE(t.at, 0);
  b.writeUInt16BE(t.operatorId, 4);
  b.writeUInt16BE(t.routeId, 6);
  b.writeUInt16BE(t.stopId, 8);
  b[10] = (t.direction << 7) | (kind + 1);
  b.writeInt32BE(t.fareFen, 11);
  return seal(b);
}

function decodeLastTap(b: Buffer): LastTap | null {
  if (!open(b, 'lastTap')) return null;
  const kind = TAP_KINDS[((b[10] ?? 0) & 0x7f) - 1];
  if (kind === undefined) {
    throw new AppError('CARD_DATA_INVALID', { message: 'Unknown tap kind on the card' });
  }
  return {
    at: b.readUInt32BE(0),
    operatorId: b.readUInt16BE(4),
    routeId: b.readUInt16BE(6),
    stopId: b.readUInt16BE(8),
    direction: ((b[10] ?? 0) >> 7) as 0 | 1,
    kind,
    fareFen: b.readInt32BE(11),
  };
}

function encodeCounters({ transfer, daily }: TransitState): Buffer {
  check(isUint(transfer.windowStartAt, 32), 'transfer.windowStartAt', 'unix seconds (u32)');
  check(isUint(transfer.count, 8), 'transfer.count', 'u8');
  check(isUint(transfer.legGroup, 16), 'transfer.legGroup', 'u16');
  check(isUint(daily.day, 16), 'daily.day', 'u16 days since 2000-01-01');
  check(isUint(daily.spentFen, 32), 'daily.spentFen', 'u32 fen');
  check(isUint(daily.rides, 8), 'daily.rides', 'u8');
  const b = Buffer.alloc(BLOCK_SIZE);
  b.writeUInt32BE(transfer.windowStartAt, 0);
  b[4] = transfer.count;
  b.writeUInt16BE(transfer.legGroup, 5);
  b.writeUInt16BE(daily.day, 7);
  b.writeUInt32BE(daily.spentFen, 9);
  b[13] = daily.rides;
  return seal(b);
}

function decodeCounters(b: Buffer): Pick<TransitState, 'transfer' | 'daily'> {
  open(b, 'counters');
  return {
    transfer: { windowStartAt: b.readUInt32BE(0), count: b[4] ?? 0, legGroup: b.readUInt16BE(5) },
    daily: { day: b.readUInt16BE(7), spentFen: b.readUInt32BE(9), rides: b[13] ?? 0 },
  };
}

function encodeJourney(j: TransitState['journey']): Buffer {
  const b = Buffer.alloc(BLOCK_SIZE);
  if (j === null) return b;
  check(isUint(j.entryAt, 32), 'journey.entryAt', 'unix seconds (u32)');
  for (const f of ['operatorId', 'routeId', 'stopId'] as const) {
    check(isUint(j[f], 16), `journey.${f}`, 'u16');
  }
  check(isInt32(j.chargedFen), 'journey.chargedFen', 'int32 fen');
  b.writeUInt32BE(j.entryAt, 0);
  b.writeUInt16BE(j.operatorId, 4);
  b.writeUInt16BE(j.routeId, 6);
  b.writeUInt16BE(j.stopId, 8);
  b.writeInt32BE(j.chargedFen, 10);
  // Marks the journey as open, so that an all-zero journey is still distinguishable from none.
  b[14] = 1;
  return seal(b);
}

function decodeJourney(b: Buffer): TransitState['journey'] {
  if (!open(b, 'journey')) return null;
  if (b[14] !== 1) throw new AppError('CARD_DATA_INVALID', { message: 'Bad journey flag' });
  return {
    entryAt: b.readUInt32BE(0),
    operatorId: b.readUInt16BE(4),
    routeId: b.readUInt16BE(6),
    stopId: b.readUInt16BE(8),
    chargedFen: b.readInt32BE(10),
  };
}

/** Blocks 12 (last tap), 13 (transfer window and daily counters), 14 (open journey). */
export function encodeTransitState(s: TransitState): {
  lastTap: Buffer;
  counters: Buffer;
  journey: Buffer;
} {
  return {
    lastTap: encodeLastTap(s.lastTap),
    counters: encodeCounters(s),
    journey: encodeJourney(s.journey),
  };
}

export function decodeTransitState(
  lastTap: Buffer,
  counters: Buffer,
  journey: Buffer,
): TransitState {
  return {
    lastTap: decodeLastTap(lastTap),
    ...decodeCounters(counters),
    journey: decodeJourney(journey),
  };
}
