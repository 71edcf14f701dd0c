/**
 * The resident identity number of GB 11643-1999, checked as it is typed: six address digits, the
 * birth date YYYYMMDD, a three-digit sequence (odd for men) and an ISO 7064 MOD 11-2 check
 * character. The service checks it again; this only spares the clerk a round trip.
 */
export type IdProblem = 'characters' | 'length' | 'check_digit' | 'region' | 'birth_date';

export type IdCheck =
  | { readonly state: 'empty' }
  | { readonly state: 'typing'; readonly typed: number }
  | { readonly state: 'invalid'; readonly problem: IdProblem }
  | {
      readonly state: 'valid';
      readonly number: string;
      readonly dateOfBirth: string;
      readonly sex: 'M' | 'F';
    };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const PROVINCES = new Set(
  '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83'.split(
    ' ',
  ),
);

export function normaliseIdNumber(input: string): string {
  return input.normalize('NFKC').replace(/\s/g, '').replace(/x$/, 'X');
}

export function checkCharacter(body: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body.charAt(i)) * (WEIGHTS[i] ?? 0);
  return CHECK.charAt(sum % 11);
}

function plausibleDate(yyyymmdd: string, today: string): boolean {
  if (yyyymmdd < '19000101' || yyyymmdd > today) return false;
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

/** `today` is YYYY-MM-DD, the local date births may not follow. */
export function checkIdNumber(input: string, today: string): IdCheck {
  const n = normaliseIdNumber(input);
  if (n === '') return { state: 'empty' };
  if (!/^\d*X?$/.test(n)) return { state: 'invalid', problem: 'characters' };
  if (n.length > 18) return { state: 'invalid', problem: 'length' };
  if (n.length < 18) {
    return /X$/.test(n)
      ? { state: 'invalid', problem: 'length' }
      : { state: 'typing', typed: n.length };
  }
  if (checkCharacter(n.slice(0, 17)) !== n.charAt(17)) {
    return { state: 'invalid', problem: 'check_digit' };
  }
  if (!PROVINCES.has(n.slice(0, 2))) return { state: 'invalid', problem: 'region' };
  const birth = n.slice(6, 14);
  if (!plausibleDate(birth, today.replaceAll('-', ''))) {
    return { state: 'invalid', problem: 'birth_date' };
  }
  return {
    state: 'valid',
    number: n,
    dateOfBirth: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`,
    sex: Number(n.charAt(16)) % 2 === 1 ? 'M' : 'F',
  };
}
