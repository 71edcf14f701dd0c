/**
 * The citizen identity number of GB 11643-1999: a six-digit address code (GB/T 2260), the birth
 * date YYYYMMDD, a three-digit sequence (odd for men, even for women) and an ISO 7064 MOD 11-2
 * check character.
 */

export type IdNumberFailure = 'length' | 'characters' | 'check_digit' | 'region' | 'birth_date';

export type Sex = 'M' | 'F';

export interface ResidentIdNumber {
  /** The normalised number: ASCII digits and an upper-case X. */
  readonly number: string;
  readonly regionCode: string;
  /** YYYY-MM-DD */
  readonly dateOfBirth: string;
  readonly sequence: string;
  readonly sex: Sex;
}

export type IdCheck<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: IdNumberFailure };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_MAP = '10X98765432';
const EARLIEST_BIRTH = '19000101';

/**
 * Province-level codes of GB/T 2260 (11 Beijing … 65 Xinjiang, 71 Taiwan, 81 Hong Kong, 82 Macao),
 * plus 83, the address code of residence permits for Taiwan residents (2018), which are numbered
 * under the same standard. The foreigners' permanent residence number (2023) starts with 9 as a
 * marker, not a region: it is a different document and is registered as 'other'.
 */
export const PROVINCE_CODES: ReadonlySet<string> = new Set([
  ...['11', '12', '13', '14', '15'],
  ...['21', '22', '23'],
  ...['31', '32', '33', '34', '35', '36', '37'],
  ...['41', '42', '43', '44', '45', '46'],
  ...['50', '51', '52', '53', '54'],
  ...['61', '62', '63', '64', '65'],
  ...['71', '81', '82', '83'],
]);

/** Full-width digits and letters typed on a Chinese keyboard fold to ASCII; x becomes X. */
export function normaliseResidentId(input: string): string {
  return input.normalize('NFKC').trim().replace(/x$/, 'X');
}

/** The check character for the first 17 digits. */
export function residentIdCheckCharacter(body: string): string {
  if (!/^\d{17}$/.test(body)) throw new RangeError('The body of an identity number is 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_MAP[sum % 11] ?? '';
}

/** A real calendar date between 1900-01-01 and `today` (both YYYYMMDD), inclusive. */
export function isPlausibleBirthDate(yyyymmdd: string, today: string): boolean {
  if (!/^\d{8}$/.test(yyyymmdd)) return false;
  if (yyyymmdd < EARLIEST_BIRTH || yyyymmdd > today) return false;
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Validates a resident identity number. `today` is the local date (YYYY-MM-DD) births may not
 * follow. The check character is tested before the region and the date, so a mistyped digit is
 * reported as a typing error wherever it falls.
 */
export function parseResidentId(input: string, today: string): IdCheck<ResidentIdNumber> {
  const number = normaliseResidentId(input);
  if (number.length !== 18) return { ok: false, reason: 'length' };
  if (!/^\d{17}[\dX]$/.test(number)) return { ok: false, reason: 'characters' };
  if (residentIdCheckCharacter(number.slice(0, 17)) !== number[17]) {
    return { ok: false, reason: 'check_digit' };
  }
  if (!PROVINCE_CODES.has(number.slice(0, 2))) return { ok: false, reason: 'region' };
  const birth = number.slice(6, 14);
  if (!isPlausibleBirthDate(birth, today.replaceAll('-', ''))) {
    return { ok: false, reason: 'birth_date' };
  }
  const sequence = number.slice(14, 17);
  return {
    ok: true,
    value: {
      number,
      regionCode: number.slice(0, 6),
      dateOfBirth: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`,
      sequence,
      sex: Number(sequence) % 2 === 1 ? 'M' : 'F',
    },
  };
}
