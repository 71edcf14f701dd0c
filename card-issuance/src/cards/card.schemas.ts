import { z } from 'zod';
import type { TransferRow } from './balance-transfer.js';
import type { CardRow, StateChangeRow } from './card.repository.js';
import { CARD_COMMANDS, CARD_STATES } from './lifecycle.js';

// Control and format characters have no place in a note typed at a counter.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u;
// A run of eight or more digits is a document, card or phone number: not for a free-text reason.
const NUMBER_RUN = /\d(?:[\s-]?\d){7,}/u;

export const reasonText = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !UNPRINTABLE.test(s), 'must not contain control characters')
  .refine((s) => !NUMBER_RUN.test(s.normalize('NFKC')), 'must not contain card or other numbers');

/** A MIFARE UID, 4 or 7 bytes of hex; stored upper-case. */
export const uidText = z
  .string()
  .trim()
  .regex(/^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{14})$/, 'must be 8 or 14 hex digits (a 4- or 7-byte UID)')
  .transform((s) => s.toUpperCase());

export const cardIdParams = z.object({ id: z.uuid() });
/** Loose here so that the card-number validator answers with its precise code. */
export const cardNumberParams = z.object({ cardNumber: z.string().max(64) });

export const issueBody = z
  .object({ uid: uidText, cardholderId: z.uuid(), productCode: z.string().min(1).max(32) })
  .strict();
export const replaceBody = z.object({ newUid: uidText, reason: reasonText }).strict();
export const reasonBody = z.object({ reason: reasonText }).strict();
/** A POST without a body arrives as null. */
export const optionalReasonBody = z.object({ reason: reasonText.optional() }).strict().nullish();

const cardState = z.enum(CARD_STATES);

export const cardResult = z.object({
  id: z.uuid(),
  uid: z.string(),
  cardNumber: z.string().nullable(),
  state: cardState,
  productCode: z.string().nullable(),
  cardholderId: z.uuid().nullable(),
  /** The deposit that came with the card; `depositHeld` says whether it is still held. */
  deposit: z.string(),
  issuedAt: z.string().nullable(),
  expiresOn: z.string().nullable(),
  replaces: z.uuid().nullable(),
  replacedBy: z.uuid().nullable(),
  version: z.int(),
});
export type CardResult = z.infer<typeof cardResult>;

export const historyEntry = z.object({
  seq: z.int(),
  fromState: cardState.nullable(),
  toState: cardState,
  command: z.enum([...CARD_COMMANDS, 'import']),
  reason: z.string().nullable(),
  staffId: z.uuid().nullable(),
  requestId: z.string(),
  at: z.string(),
});
export const historyResult = z.object({ items: z.array(historyEntry) });

export const transferResult = z.object({
  id: z.uuid(),
  fromCardId: z.uuid(),
  toCardId: z.uuid(),
  holdUntil: z.string(),
  releasedAt: z.string().nullable(),
  releasedAmount: z.string().nullable(),
  /** The released amount, or while held the old card's shadow balance (what would move now). */
  amount: z.string(),
});

export const cardDetail = cardResult.extend({
  product: z.object({ code: z.string(), name: z.string(), concessionRef: z.string() }).nullable(),
  cardholder: z
    .object({ id: z.uuid(), maskedName: z.string(), maskedIdNumber: z.string() })
    .nullable(),
  depositHeld: z.boolean(),
  shadowBalance: z.string(),
  transfers: z.array(transferResult),
  /** Released onto this card's shadow balance, not yet written onto its chip. */
  transferCreditOwed: z.string(),
  history: z.array(historyEntry),
});
export type CardDetail = z.infer<typeof cardDetail>;

export const replaceResult = z.object({
  replaced: cardResult,
  replacement: cardResult,
  transfer: transferResult,
});

export const payoutResult = z.object({
  card: cardResult,
  paidOut: z.object({ deposit: z.string(), balance: z.string(), total: z.string() }),
});

export const releaseResult = z.object({
  transfer: transferResult,
  toCardId: z.uuid(),
  amount: z.string(),
});

export function toCardResult(row: CardRow): CardResult {
  return {
    id: row.id,
    uid: row.uid,
    cardNumber: row.cardNumber,
    state: row.state,
    productCode: row.productCode,
    cardholderId: row.cardholderId,
    deposit: row.deposit,
    issuedAt: row.issuedAt?.toISOString() ?? null,
    expiresOn: row.expiresOn,
    replaces: row.replaces,
    replacedBy: row.replacedBy,
    version: row.version,
  };
}

export function toHistoryEntry(row: StateChangeRow): z.infer<typeof historyEntry> {
  return { ...row, at: row.at.toISOString() };
}

export function toTransferResult(row: TransferRow): z.infer<typeof transferResult> {
  return {
    id: row.id,
    fromCardId: row.fromCardId,
    toCardId: row.toCardId,
    holdUntil: row.holdUntil.toISOString(),
    releasedAt: row.releasedAt?.toISOString() ?? null,
    releasedAmount: row.releasedAmount,
    amount: row.amount,
  };
}

/**
 * Keeps the first character (the family name, for most names written in Chinese) and hides the
 * rest, leaving spaces so the shape of the name is still recognisable at the counter.
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  return chars.map((c, i) => (i === 0 || c === ' ' ? c : '*')).join('');
}
