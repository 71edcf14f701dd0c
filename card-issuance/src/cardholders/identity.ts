import { AppError } from '@citycard/core/errors';
import {
  parseDocument,
  type DocumentFailure,
  type DocumentInput,
  type IdentityDocument,
} from './document.js';
import { isPlausibleBirthDate, type ResidentIdNumber } from './id-number.js';
import type { CardholderSex } from './cardholder.repository.js';

const SHANGHAI_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Birth dates are local dates: "today" is the date in China, not in UTC. */
export function localDate(now: Date): string {
  return SHANGHAI_DATE.format(now);
}

const FIELD_OF: Record<DocumentFailure, string> = {
  length: 'document.number',
  characters: 'document.number',
  check_digit: 'document.number',
  region: 'document.number',
  birth_date: 'document.number',
  country: 'document.country',
  label: 'document.label',
};

const MESSAGE_OF: Record<DocumentFailure, string> = {
  length: 'The document number has the wrong length',
  characters: 'The document number contains characters it may not',
  check_digit: 'The check character does not match: the number was mistyped',
  region: 'The identity number does not start with a province-level region code',
  birth_date: 'The birth date in the identity number is not a real date from 1900 to today',
  country: 'The issuing country is not a valid ISO 3166 alpha-3 code for this document',
  label: 'Other documents need a label of 1 to 40 characters',
};

/** Validates a document or throws ID_NUMBER_INVALID with the precise reason (never the value). */
export function requireDocument(input: DocumentInput, today: string): IdentityDocument {
  const checked = parseDocument(input, today);
  if (checked.ok) return checked.value;
  throw new AppError('ID_NUMBER_INVALID', {
    message: MESSAGE_OF[checked.reason],
    details: { reason: checked.reason, field: FIELD_OF[checked.reason] },
  });
}

export interface Identity {
  readonly dateOfBirth: string;
  readonly sex: CardholderSex | null;
}

/**
 * A resident id states its holder's birth date and sex: the date typed at the counter must agree
 * (a cross-check against registering the wrong person), and a sex, when given, too. Other
 * documents carry nothing to check against, so the date only has to be plausible.
 */
export function settleIdentity(
  resident: ResidentIdNumber | null,
  dateOfBirth: string,
  sex: CardholderSex | null | undefined,
  today: string,
): Identity {
  if (resident === null) {
    if (!isPlausibleBirthDate(dateOfBirth.replaceAll('-', ''), today.replaceAll('-', ''))) {
      throw new AppError('VALIDATION_FAILED', {
        message: 'The date of birth must be a real date from 1900 to today',
        details: { issues: [{ path: 'body.dateOfBirth', message: 'not a plausible birth date' }] },
      });
    }
    return { dateOfBirth, sex: sex ?? null };
  }
  if (dateOfBirth !== resident.dateOfBirth) {
    throw new AppError('ID_NUMBER_MISMATCH', {
      message: 'The date of birth does not agree with the identity number',
      details: { field: 'dateOfBirth' },
    });
  }
  if (sex != null && sex !== resident.sex) {
    throw new AppError('ID_NUMBER_MISMATCH', {
      message: 'The sex does not agree with the identity number',
      details: { field: 'sex' },
    });
  }
  return { dateOfBirth, sex: resident.sex };
}
