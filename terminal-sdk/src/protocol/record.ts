import { timingSafeEqualBuffer } from '@citycard/core/crypto';
import {
  amountString,
  isAmountString,
  nonNegativeAmountString,
  parseAmount,
} from '@citycard/core/money';
import { z } from 'zod';
import { compileShape, shapedMembers } from './canonical-shape.js';
import { canonicalMembers } from './canonical.js';
import { cmac } from './fast-cmac.js';
import {
  cardNumberString,
  hex128,
  idString,
  isoDateTime,
  sequenceNumber,
  uidString,
} from './primitives.js';

export const RECORD_VERSION = 1;
export const RECORD_MAC_DOMAIN = 'citycard/record/v1';

export const RECORD_TYPES = [
  'purchase',
  'transit_flat',
  'transit_entry',
  'transit_exit',
  'transit_correction',
  'card_blocked',
] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

const locationId = z.string().min(1).max(64);

export const recordLocationSchema = z.strictObject({
  routeId: locationId.optional(),
  stopId: locationId.optional(),
  direction: z.union([z.literal(0), z.literal(1)]).optional(),
  vehicleId: locationId.optional(),
  shopId: locationId.optional(),
});
export type RecordLocation = z.infer<typeof recordLocationSchema>;

export const recordFareSchema = z.strictObject({
  fareSetVersion: z.string().min(1).max(64),
  fareProductId: z.string().min(1).max(64),
  riderCategoryId: z.string().min(1).max(64),
  baseAmount: nonNegativeAmountString,
  discount: nonNegativeAmountString,
  transfer: z.boolean(),
  capApplied: z.boolean(),
  legGroupId: z.string().min(1).max(64).optional(),
});
export type RecordFare = z.infer<typeof recordFareSchema>;

const draftShape = {
  type: z.enum(RECORD_TYPES),
  cardNumber: cardNumberString,
  uid: uidString,
  /** The card's purse counter after the transaction. */
  purseCounter: z.int().min(0).max(0x7fff_ffff),
  amount: amountString,
  balanceBefore: amountString,
  balanceAfter: amountString,
  occurredAt: isoDateTime,
  operatorId: idString,
  location: recordLocationSchema,
  fare: recordFareSchema.optional(),
};

interface MoneyFields {
  type: RecordType;
  amount: string;
  balanceBefore: string;
  balanceAfter: string;
}

/**
 * The money rules every record obeys: only a correction may carry a negative amount (the refund
 * of a held maximum fare), and balanceAfter = balanceBefore − amount, exactly.
 */
function checkMoney(value: MoneyFields, ctx: z.RefinementCtx): void {
  // Malformed amounts are already reported by their own fields.
  if (![value.amount, value.balanceBefore, value.balanceAfter].every(isAmountString)) return;
  const amount = parseAmount(value.amount, { allowNegative: true });
  if (amount.isNegative() && value.type !== 'transit_correction') {
    ctx.addIssue({
      code: 'custom',
      path: ['amount'],
      message: 'Only a correction may be negative',
    });
  }
  const before = parseAmount(value.balanceBefore, { allowNegative: true });
  const after = parseAmount(value.balanceAfter, { allowNegative: true });
  if (!before.sub(amount).eq(after)) {
    ctx.addIssue({
      code: 'custom',
      path: ['balanceAfter'],
      message: 'balanceAfter must equal balanceBefore minus amount',
    });
  }
}

/** What a tap hands the recorder; the recorder adds version, terminal, sequence and MAC. */
export const recordDraftSchema = z.strictObject(draftShape).superRefine(checkMoney);
export type RecordDraft = z.infer<typeof recordDraftSchema>;

export const transactionRecordSchema = z
  .strictObject({
    v: z.literal(RECORD_VERSION),
    terminalId: idString,
    sequence: sequenceNumber,
    ...draftShape,
    mac: hex128,
  })
  .superRefine(checkMoney);
export type TransactionRecord = z.infer<typeof transactionRecordSchema>;
export type UnsignedRecord = Omit<TransactionRecord, 'mac'>;

/**
 * A record's canonical JSON without its MAC (what the record MAC covers) and with it (what the
 * batch hash chain covers), from one pass over the record.
 */
export interface CanonicalRecord {
  readonly unsigned: string;
  readonly signed: string;
}

const RECORD_SHAPE = compileShape({
  keys: ['v', 'terminalId', 'sequence', ...Object.keys(draftShape), 'mac'],
  nested: {
    location: { keys: Object.keys(recordLocationSchema.shape) },
    fare: { keys: Object.keys(recordFareSchema.shape) },
  },
});

export function canonicalRecord(record: UnsignedRecord | TransactionRecord): CanonicalRecord {
  const members = shapedMembers(record, RECORD_SHAPE) ?? canonicalMembers(record);
  // Both forms in one pass: hundreds of records a batch go through here.
  let signed = '{';
  let unsigned = '{';
  let hasMac = false;
  members.forEach((m, i) => {
    if (i > 0) signed += ',';
    signed += m.text;
    if (m.key === 'mac') {
      hasMac = true;
      return;
    }
    if (unsigned.length > 1) unsigned += ',';
    unsigned += m.text;
  });
  signed += '}';
  unsigned += '}';
  return hasMac ? { unsigned, signed } : { unsigned: signed, signed };
}

/** The MAC input for a record's canonical form without its MAC. */
export function recordMacInputOf(unsigned: string): Buffer {
  return Buffer.from(`${RECORD_MAC_DOMAIN}\n${unsigned}`, 'utf8');
}

/** The bytes a record MAC covers: every field but `mac`, in canonical form. */
export function recordMacInput(record: UnsignedRecord | TransactionRecord): Buffer {
  return recordMacInputOf(canonicalRecord(record).unsigned);
}

export function recordMac(record: UnsignedRecord, macKey: Buffer): string {
  return cmac(macKey, recordMacInput(record)).toString('hex');
}

export function signRecord(record: UnsignedRecord, macKey: Buffer): TransactionRecord {
  return { ...record, mac: recordMac(record, macKey) };
}

const MAC_HEX = /^[0-9a-fA-F]{32}$/;

/**
 * Whether `mac` is the record MAC over these bytes (from recordMacInput or recordMacInputOf).
 * Compared as bytes: a batch checks hundreds, and hex-encoding every computed tag (then decoding
 * both again) was a measurable part of verifying one.
 */
export function macMatches(macInput: Buffer, mac: string, macKey: Buffer): boolean {
  if (!MAC_HEX.test(mac)) return false;
  return timingSafeEqualBuffer(cmac(macKey, macInput), Buffer.from(mac, 'hex'));
}

export function verifyRecordMac(record: TransactionRecord, macKey: Buffer): boolean {
  return macMatches(recordMacInput(record), record.mac, macKey);
}
