import { z } from 'zod';
import type { CardholderRow } from './cardholder.repository.js';
import { documentTypes, maskPhone } from './document.js';

// Control and format characters have no place in a name or a note typed at a counter.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u;
// A run of eight or more digits is a document, card or phone number: it belongs in its own field.
const NUMBER_RUN = /\d(?:[\s-]?\d){7,}/u;

const printable = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !UNPRINTABLE.test(s), 'must not contain control characters');

export const cardholderId = z.object({ id: z.uuid() });

/** Lengths are loose here: the document validator gives the precise reason (ID_NUMBER_INVALID). */
export const documentInput = z.object({
  type: z.enum(documentTypes),
  number: z.string().max(200),
  country: z.string().max(16).nullish(),
  label: z.string().max(200).nullish(),
});

const sex = z.enum(['M', 'F', 'X']);
const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ()-]{2,31}$/, 'must be digits, with + ( ) - or spaces');
const reason = printable(200).refine(
  (s) => !NUMBER_RUN.test(s.normalize('NFKC')),
  'must not contain document, card or phone numbers',
);

export const registerBody = z.object({
  name: printable(100),
  document: documentInput,
  dateOfBirth: z.iso.date(),
  /** Read from a resident id; when given it must agree. */
  sex: sex.optional(),
  phone: phone.nullish(),
});
export type RegisterInput = z.infer<typeof registerBody>;

export const updateBody = z
  .object({
    /** The version the change was made against; a newer one in the database is a conflict. */
    version: z.int().min(1),
    name: printable(100).optional(),
    phone: phone.nullable().optional(),
    sex: sex.nullable().optional(),
    dateOfBirth: z.iso.date().optional(),
    document: documentInput.optional(),
    /** Required for changes to the document, the date of birth or the sex. */
    reason: reason.optional(),
  })
  .strict();
export type UpdateInput = z.infer<typeof updateBody>;

const limit = z.coerce.number().int().min(1).max(50).default(20);
const namePrefix = printable(50);
const cardNumber = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{8,19}$/, 'must be 8 to 19 digits'));

/**
 * GET search takes only what may appear in a URL. Identity numbers go in a POST body
 * (/cardholders/search) so that no access log, proxy or browser history ever holds one.
 */
export const searchQuery = z
  .looseObject({
    name: namePrefix.optional(),
    cardNumber: cardNumber.optional(),
    limit,
  })
  .refine((q) => !('idNumber' in q), {
    path: ['idNumber'],
    message: 'search by identity number with POST /cardholders/search',
  })
  .refine((q) => (q.name === undefined) !== (q.cardNumber === undefined), {
    message: 'give exactly one of name or cardNumber',
  });

export const searchBody = z
  .object({
    idNumber: z.string().max(200).optional(),
    documentType: z.enum(documentTypes).default('resident_id'),
    /** The issuing state, needed to find a passport. */
    documentCountry: z.string().max(16).optional(),
    name: namePrefix.optional(),
    cardNumber: cardNumber.optional(),
    limit,
  })
  .refine((b) => [b.idNumber, b.name, b.cardNumber].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of idNumber, name or cardNumber',
  });
export type SearchInput = z.infer<typeof searchBody>;

export const cardholderDetail = z.object({
  id: z.uuid(),
  name: z.string(),
  documentType: z.enum(documentTypes),
  documentCountry: z.string().nullable(),
  documentLabel: z.string().nullable(),
  maskedIdNumber: z.string(),
  dateOfBirth: z.string(),
  sex: sex.nullable(),
  phone: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.int(),
});
export type CardholderDetail = z.infer<typeof cardholderDetail>;

/** What a list shows: enough to pick the right person, with the phone masked. */
export const cardholderSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  documentType: z.enum(documentTypes),
  maskedIdNumber: z.string(),
  dateOfBirth: z.string(),
  maskedPhone: z.string().nullable(),
});
export type CardholderSummary = z.infer<typeof cardholderSummary>;

export const searchResult = z.object({
  items: z.array(cardholderSummary),
  /** More matched than `limit`: narrow the search. */
  truncated: z.boolean(),
});
export type SearchResult = z.infer<typeof searchResult>;

export const previousValues = z.object({
  name: z.string().optional(),
  phone: z.string().nullable().optional(),
  sex: sex.nullable().optional(),
  dateOfBirth: z.string().optional(),
  documentType: z.enum(documentTypes).optional(),
  documentCountry: z.string().nullable().optional(),
  documentLabel: z.string().nullable().optional(),
  maskedIdNumber: z.string().optional(),
});

export const historyEntry = z.object({
  version: z.int(),
  changedAt: z.string(),
  changedBy: z.uuid(),
  changedFields: z.array(z.string()),
  reason: z.string().nullable(),
  /** The values this version replaced, as a list would show them (id number and phone masked). */
  previous: previousValues.nullable(),
});
export const historyResult = z.object({ items: z.array(historyEntry) });
export type HistoryEntry = z.infer<typeof historyEntry>;

export function toDetail(row: CardholderRow): CardholderDetail {
  return {
    id: row.id,
    name: row.name,
    documentType: row.documentType,
    documentCountry: row.documentCountry,
    documentLabel: row.documentLabel,
    maskedIdNumber: row.idNumberMasked,
    dateOfBirth: row.dateOfBirth,
    sex: row.sex,
    phone: row.phone,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}

export function toSummary(row: CardholderRow): CardholderSummary {
  return {
    id: row.id,
    name: row.name,
    documentType: row.documentType,
    maskedIdNumber: row.idNumberMasked,
    dateOfBirth: row.dateOfBirth,
    maskedPhone: row.phone === null ? null : maskPhone(row.phone),
  };
}
