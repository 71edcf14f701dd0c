import { maskIdNumber } from '@citycard/core/logging';
import { parseResidentId, type IdNumberFailure, type ResidentIdNumber } from './id-number.js';

export const documentTypes = ['resident_id', 'passport', 'other'] as const;
export type DocumentType = (typeof documentTypes)[number];

/** Why a document was refused: the id-number reasons, plus the two fields other documents add. */
export type DocumentFailure = IdNumberFailure | 'country' | 'label';

export interface DocumentInput {
  readonly type: DocumentType;
  readonly number: string;
  /** ISO 3166-1 alpha-3 of the issuing state; required for passports, CHN for resident ids. */
  readonly country?: string | null | undefined;
  /** What the document is called, for 'other' (e.g. a military officer's card). */
  readonly label?: string | null | undefined;
}

export interface IdentityDocument {
  readonly type: DocumentType;
  /** The number as stored (sealed) and indexed. */
  readonly number: string;
  readonly country: string | null;
  readonly label: string | null;
  readonly masked: string;
  /** Present for resident ids: what the number itself says about its holder. */
  readonly resident: ResidentIdNumber | null;
}

export type DocumentCheck =
  | { readonly ok: true; readonly value: IdentityDocument }
  | { readonly ok: false; readonly reason: DocumentFailure };

const COUNTRY = /^[A-Z]{3}$/;
const PASSPORT = /^[A-Z0-9]+$/;
// Control and format characters have no place in a number typed from a document.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u;
const MAX_FREE_TEXT = 40;

const fold = (value: string): string => value.normalize('NFKC').trim();
const fail = (reason: DocumentFailure): DocumentCheck => ({ ok: false, reason });

/** Validates and normalises a document; `today` (YYYY-MM-DD) bounds birth dates in resident ids. */
export function parseDocument(input: DocumentInput, today: string): DocumentCheck {
  switch (input.type) {
    case 'resident_id':
      return residentDocument(input, today);
    case 'passport':
      return passportDocument(input);
    case 'other':
      return otherDocument(input);
  }
}

function residentDocument(input: DocumentInput, today: string): DocumentCheck {
  const country = input.country == null ? 'CHN' : fold(input.country).toUpperCase();
  if (country !== 'CHN') return fail('country');
  const parsed = parseResidentId(input.number, today);
  if (!parsed.ok) return parsed;
  const number = parsed.value.number;
  const masked = maskDocumentNumber('resident_id', number);
  return {
    ok: true,
    value: { type: 'resident_id', number, country, label: null, masked, resident: parsed.value },
  };
}

function passportDocument(input: DocumentInput): DocumentCheck {
  const number = fold(input.number).toUpperCase();
  if (number.length < 5 || number.length > 20) return fail('length');
  if (!PASSPORT.test(number)) return fail('characters');
  const country = fold(input.country ?? '').toUpperCase();
  if (!COUNTRY.test(country)) return fail('country');
  const masked = maskDocumentNumber('passport', number);
  return {
    ok: true,
    value: { type: 'passport', number, country, label: null, masked, resident: null },
  };
}

function otherDocument(input: DocumentInput): DocumentCheck {
  const number = fold(input.number).replace(/\s+/gu, ' ');
  if (number.length < 1 || number.length > MAX_FREE_TEXT) return fail('length');
  if (UNPRINTABLE.test(number)) return fail('characters');
  const label = fold(input.label ?? '').replace(/\s+/gu, ' ');
  if (label.length < 1 || label.length > MAX_FREE_TEXT || UNPRINTABLE.test(label)) {
    return fail('label');
  }
  let country: string | null = null;
  if (input.country != null) {
    country = fold(input.country).toUpperCase();
    if (!COUNTRY.test(country)) return fail('country');
  }
  const masked = maskDocumentNumber('other', number);
  return { ok: true, value: { type: 'other', number, country, label, masked, resident: null } };
}

/**
 * What staff screens show. A resident id keeps its region (6) and its last four; other documents
 * keep two characters at each end when they are long enough to hide most of the rest.
 */
export function maskDocumentNumber(type: DocumentType, number: string): string {
  const chars = [...number];
  if (type === 'resident_id' && chars.length === 18) return maskIdNumber(number);
  if (chars.length >= 8) return keepEnds(chars, 2, 2);
  if (chars.length >= 5) return keepEnds(chars, 0, 2);
  return '*'.repeat(chars.length);
}

/** Lists show at most the first three and the last four characters of a phone number. */
export function maskPhone(phone: string): string {
  const chars = [...phone];
  if (chars.length >= 11) return keepEnds(chars, 3, 4);
  if (chars.length >= 7) return keepEnds(chars, 0, 4);
  return '*'.repeat(chars.length);
}

function keepEnds(chars: readonly string[], head: number, tail: number): string {
  const hidden = chars.length - head - tail;
  return chars.slice(0, head).join('') + '*'.repeat(hidden) + chars.slice(-tail).join('');
}

/**
 * The text the blind index is computed over. A passport number is only unique within its issuing
 * state, so the state is part of it; resident ids are always CHN, and other documents are matched
 * on the number alone because their labels and countries are typed freely.
 */
export function documentIndexText(
  doc: Pick<IdentityDocument, 'type' | 'number' | 'country'>,
): string {
  return doc.type === 'passport'
    ? `passport:${doc.country ?? ''}:${doc.number}`
    : `${doc.type}:${doc.number}`;
}
