import type { CardKind } from '@citycard/core/card';

/** What an ATR says, read per PC/SC part 3 (contactless cards behind a PC/SC reader). */
export interface AtrInfo {
  readonly kind: CardKind;
  /** Human-readable card name, for logs and the console (never used for decisions). */
  readonly name: string;
  /** PC/SC part 3 "SS" byte for storage cards (0x03 = ISO 14443 A part 3), else null. */
  readonly standard: number | null;
  /** PC/SC part 3 card name code (C0 C1) for storage cards, else null. */
  readonly cardNameCode: number | null;
  readonly contactless: boolean;
  readonly historicalBytes: Buffer;
}

// 3B 8F 80 01 | 80 4F 0C | A0 00 00 03 06 (PC/SC RID) | SS | C0 C1 | 00 00 00 00 | TCK
const STORAGE_PREFIX = Buffer.from('3B8F8001804F0CA000000306', 'hex');

const STORAGE_NAMES: ReadonlyMap<number, { kind: CardKind; name: string }> = new Map([
  [0x0001, { kind: 'mifare-classic-1k', name: 'MIFARE Classic 1K' }],
  [0x0002, { kind: 'mifare-classic-4k', name: 'MIFARE Classic 4K' }],
  [0x0003, { kind: 'mifare-ultralight', name: 'MIFARE Ultralight' }],
  [0x003a, { kind: 'mifare-ultralight', name: 'MIFARE Ultralight C' }],
  // Recognised so they are named in logs, but not Classic 1K/4K as far as this system goes.
  [0x0026, { kind: 'unknown', name: 'MIFARE Mini' }],
  [0x0036, { kind: 'unknown', name: 'MIFARE Plus 2K (SL1)' }],
  [0x0037, { kind: 'unknown', name: 'MIFARE Plus 4K (SL1)' }],
  [0x0030, { kind: 'unknown', name: 'Topaz/Jewel' }],
  [0x003b, { kind: 'unknown', name: 'FeliCa' }],
]);

const UNKNOWN: AtrInfo = {
  kind: 'unknown',
  name: 'unknown card',
  standard: null,
  cardNameCode: null,
  contactless: false,
  historicalBytes: Buffer.alloc(0),
};

/**
 * Classifies any ATR without throwing: a phone, a bank card, a contact card or garbage all come
 * back as a kind ('iso14443-4' or 'unknown') that the caller can refuse politely.
 */
export function parseAtr(atr: Buffer): AtrInfo {
  if (atr.length < 4 || (atr[0] !== 0x3b && atr[0] !== 0x3f)) return UNKNOWN;
  const t0 = atr[1] ?? 0;
  const historicalCount = t0 & 0x0f;
  // PC/SC part 3 builds contactless ATRs as 3B 8n 80 01 (TD1 = T=0 + TD2, TD2 = T=1, no TA/TB/TC).
  const contactless = (t0 & 0xf0) === 0x80 && atr[2] === 0x80 && atr[3] === 0x01;
  if (!contactless) {
    return { ...UNKNOWN, name: 'contact or unrecognised card', historicalBytes: Buffer.alloc(0) };
  }
  const historicalBytes = Buffer.from(atr.subarray(4, 4 + historicalCount));
  if (atr.length >= 15 && atr.subarray(0, STORAGE_PREFIX.length).equals(STORAGE_PREFIX)) {
    const standard = atr[12] ?? 0;
    const code = atr.readUInt16BE(13);
    const known = STORAGE_NAMES.get(code);
    return {
      kind: known?.kind ?? 'unknown',
      name: known?.name ?? `storage card 0x${code.toString(16).padStart(4, '0')}`,
      standard,
      cardNameCode: code,
      contactless: true,
      historicalBytes,
    };
  }
  return {
    kind: 'iso14443-4',
    name: 'ISO 14443-4 card (smart card, bank card or phone)',
    standard: null,
    cardNameCode: null,
    contactless: true,
    historicalBytes,
  };
}

/** True when the XOR of T0 … TCK is zero (TCK is present whenever T=1 is offered). */
export function atrChecksumValid(atr: Buffer): boolean {
  let x = 0;
  for (let i = 1; i < atr.length; i += 1) x ^= atr[i] ?? 0;
  return x === 0;
}

/** Builds a PC/SC part 3 storage-card ATR (for virtual cards). */
export function storageCardAtr(cardNameCode: number, standard = 0x03): Buffer {
  const body = Buffer.concat([
    STORAGE_PREFIX,
    Buffer.from([standard, cardNameCode >> 8, cardNameCode & 0xff, 0, 0, 0, 0]),
  ]);
  return withTck(body);
}

/** Builds a PC/SC part 3 ISO 14443-4 ATR carrying the given historical bytes (≤ 15). */
export function iso14443Part4Atr(historicalBytes: Buffer): Buffer {
  const n = Math.min(historicalBytes.length, 15);
  return withTck(
    Buffer.concat([Buffer.from([0x3b, 0x80 | n, 0x80, 0x01]), historicalBytes.subarray(0, n)]),
  );
}

function withTck(body: Buffer): Buffer {
  let x = 0;
  for (let i = 1; i < body.length; i += 1) x ^= body[i] ?? 0;
  return Buffer.concat([body, Buffer.from([x])]);
}
