import { AppError } from '../errors/index.js';
import { BLOCK_SIZE, crc16, requireBlock, requireField } from './bytes.js';

export type CardStatus = 'active' | 'blocked';

export interface IssuerInfo {
  /** 16 digits. */
  cardNumber: string;
  /** YYYY-MM-DD */
  issuedOn: string;
  expiresOn: string;
  status: CardStatus;
  /** 1–127. */
  layoutVersion: number;
  /** 1–255. */
  keyVersion: number;
  /** 1–12 printable ASCII characters, e.g. FULL, STUDENT. */
  concession: string;
  concessionUntil: string | null;
}

export const BLOCKED_STATUS: CardStatus = 'blocked';

const EPOCH_MS = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;
const CONCESSION_LENGTH = 12;

/** YYYY-MM-DD as days since 2000-01-01 (u16, so up to 2179-06-06). */
export function dayNumber(date: string, field = 'date'): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  const valid = m !== null && new Date(ms).toISOString().slice(0, 10) === date;
  requireField(valid, field, 'a calendar date YYYY-MM-DD');
  const days = (ms - EPOCH_MS) / DAY_MS;
  requireField(days >= 0 && days <= 0xffff, field, 'between 2000-01-01 and 2179-06-06');
  return days;
}

export function dateOfDay(days: number): string {
  return new Date(EPOCH_MS + days * DAY_MS).toISOString().slice(0, 10);
}

function withCrc(b: Buffer): Buffer {
  b.writeUInt16BE(crc16(b.subarray(0, 14)), 14);
  return b;
}

function crcOk(b: Buffer): boolean {
  return b.readUInt16BE(14) === crc16(b.subarray(0, 14));
}

function encodeInfo(i: IssuerInfo): Buffer {
  requireField(/^\d{16}$/.test(i.cardNumber), 'cardNumber', '16 digits');
  const lv = i.layoutVersion;
  requireField(Number.isInteger(lv) && lv >= 1 && lv <= 127, 'layoutVersion', '1 to 127');
  const kv = i.keyVersion;
  requireField(Number.isInteger(kv) && kv >= 1 && kv <= 255, 'keyVersion', '1 to 255');
  requireField(i.status === 'active' || i.status === 'blocked', 'status', 'active or blocked');
  const b = Buffer.alloc(BLOCK_SIZE);
  Buffer.from(i.cardNumber, 'hex').copy(b, 0);
  b.writeUInt16BE(dayNumber(i.issuedOn, 'issuedOn'), 8);
  b.writeUInt16BE(dayNumber(i.expiresOn, 'expiresOn'), 10);
  b[12] = (i.status === 'blocked' ? 0x80 : 0) | lv;
  b[13] = kv;
  return withCrc(b);
}

function encodeExtra(i: IssuerInfo): Buffer {
  const c = i.concession;
  requireField(/^[\x20-\x7e]{1,12}$/.test(c), 'concession', '1 to 12 printable ASCII characters');
  const b = Buffer.alloc(BLOCK_SIZE);
  b.write(c, 0, CONCESSION_LENGTH, 'ascii');
  // Day 0 (2000-01-01) stands for "no end date": no concession can end before cards existed.
  const until = i.concessionUntil === null ? 0 : dayNumber(i.concessionUntil, 'concessionUntil');
  requireField(i.concessionUntil === null || until > 0, 'concessionUntil', 'after 2000-01-01');
  b.writeUInt16BE(until, 12);
  return withCrc(b);
}

/**
 * Block 4: card number (BCD) ‖ issued ‖ expires (u16 days) ‖ status bit + layout version ‖ key
 * version ‖ CRC-16. Block 5: concession (ASCII, zero padded) ‖ concession end ‖ CRC-16.
 */
export function encodeIssuerInfo(i: IssuerInfo): { info: Buffer; extra: Buffer } {
  return { info: encodeInfo(i), extra: encodeExtra(i) };
}

const corrupt = (block: string): AppError =>
  new AppError('CARD_DATA_INVALID', {
    message: `The issuer ${block} block does not decode`,
    details: { block },
  });

function decodeInfo(info: Buffer) {
  if (!crcOk(info)) throw corrupt('info');
  const cardNumber = info.subarray(0, 8).toString('hex');
  const flags = info[12] ?? 0;
  const keyVersion = info[13] ?? 0;
  if (!/^\d{16}$/.test(cardNumber) || (flags & 0x7f) < 1 || keyVersion < 1) throw corrupt('info');
  return {
    cardNumber,
    issuedOn: dateOfDay(info.readUInt16BE(8)),
    expiresOn: dateOfDay(info.readUInt16BE(10)),
    status: (flags & 0x80) !== 0 ? ('blocked' as const) : ('active' as const),
    layoutVersion: flags & 0x7f,
    keyVersion,
  };
}

function decodeExtra(extra: Buffer): Pick<IssuerInfo, 'concession' | 'concessionUntil'> {
  if (!crcOk(extra)) throw corrupt('extra');
  const raw = extra.subarray(0, CONCESSION_LENGTH);
  const end = raw.indexOf(0);
  const concession = raw.subarray(0, end < 0 ? CONCESSION_LENGTH : end).toString('ascii');
  const padded = end < 0 || raw.subarray(end).every((x) => x === 0);
  if (!padded || !/^[\x20-\x7e]{1,12}$/.test(concession)) throw corrupt('extra');
  const until = extra.readUInt16BE(12);
  return { concession, concessionUntil: until === 0 ? null : dateOfDay(until) };
}

export function decodeIssuerInfo(info: Buffer, extra: Buffer): IssuerInfo {
  requireBlock(info, 'The issuer info block');
  requireBlock(extra, 'The issuer extra block');
  return { ...decodeInfo(info), ...decodeExtra(extra) };
}

/**
 * Block 4 as read, with the status set to blocked: what a terminal writes on a hotlisted card.
 * Throws CARD_DATA_INVALID when the block read does not decode.
 */
export function blockedInfoBlock(info: Buffer): Buffer {
  requireBlock(info, 'The issuer info block');
  decodeInfo(info);
  const out = Buffer.from(info);
  out[12] = (out[12] ?? 0) | 0x80;
  return withCrc(out);
}

/** Block 6: an opaque 16-byte reference to the cardholder record, never personal data. */
export function encodeCardholderRef(ref: Buffer): Buffer {
  requireField(ref.length === BLOCK_SIZE, 'cardholderRef', '16 bytes');
  return Buffer.from(ref);
}
