import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PROVINCE_CODES,
  isPlausibleBirthDate,
  parseResidentId,
  residentIdCheckCharacter,
} from './id-number.js';

const TODAY = '2025-06-15';

/** Any valid number: a known province, a real date from 1900 to TODAY, a sequence, its check. */
const validResidentId = fc
  .record({
    province: fc.constantFrom(...PROVINCE_CODES),
    rest: fc.integer({ min: 0, max: 9999 }),
    day: fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date(`${TODAY}T00:00:00Z`),
      noInvalidDate: true,
    }),
    sequence: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ province, rest, day, sequence }) => {
    const birth = day.toISOString().slice(0, 10).replaceAll('-', '');
    const body = `${province}${String(rest).padStart(4, '0')}${birth}${String(sequence).padStart(3, '0')}`;
    return body + residentIdCheckCharacter(body);
  });

function withCheck(body: string): string {
  return body + residentIdCheckCharacter(body);
}

describe('residentIdCheckCharacter', () => {
  it('matches the worked examples of GB 11643-1999', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(residentIdCheckCharacter('44052418800101001')).toBe('4');
    expect(residentIdCheckCharacter('12010319880601824')).toBe('1');
  });
});

describe('parseResidentId', () => {
  it('accepts a valid number and reads the birth date and sex from it', () => {
    expect(parseResidentId('11010519491231002X', TODAY)).toEqual({
      ok: true,
      value: {
        number: '11010519491231002X',
        regionCode: '110105',
        dateOfBirth: '1949-12-31',
        sequence: '002',
        sex: 'F',
      },
    });
    const male = parseResidentId('440524198001010013', TODAY);
    expect(male.ok && male.value.sex).toBe('M');
  });

  it('normalises a lower-case x, full-width digits and outer blanks', () => {
    for (const typed of [
      '11010519491231002x',
      ' 11010519491231002X ',
      '１１０１０５１９４９１２３１００２ｘ',
    ]) {
      const parsed = parseResidentId(typed, TODAY);
      expect(parsed.ok && parsed.value.number).toBe('11010519491231002X');
    }
  });

  it.each([
    ['', 'length'],
    ['11010519491231002', 'length'],
    ['11010519491231002X1', 'length'],
    ['1101051949123100X2', 'characters'],
    ['110105-9491231002X', 'characters'],
    ['X10105194912310021', 'characters'],
    ['110105194912310021', 'check_digit'],
    [withCheck('10010519491231002'), 'region'],
    [withCheck('91010519491231002'), 'region'],
    [withCheck('84010519491231002'), 'region'],
    [withCheck('11010519490230002'), 'birth_date'],
    [withCheck('11010519001301002'), 'birth_date'],
    [withCheck('11010518991231002'), 'birth_date'],
    [withCheck('11010520250616002'), 'birth_date'],
    [withCheck('11010519490000002'), 'birth_date'],
    ['440524188001010014', 'birth_date'],
  ])('refuses %j with reason %s', (input, reason) => {
    expect(parseResidentId(input, TODAY)).toEqual({ ok: false, reason });
  });

  it('accepts the first day of 1900, today, and a 29 February of a leap year', () => {
    for (const body of ['11010519000101002', '11010520250615002', '11010520000229002']) {
      expect(parseResidentId(withCheck(body), TODAY).ok).toBe(true);
    }
    expect(parseResidentId(withCheck('11010519000229002'), TODAY)).toEqual({
      ok: false,
      reason: 'birth_date',
    });
  });

  it('accepts residence permits for Hong Kong, Macao and Taiwan residents', () => {
    for (const region of ['810000', '820000', '830000']) {
      expect(parseResidentId(withCheck(`${region}19920130002`), TODAY).ok).toBe(true);
    }
  });
});

describe('isPlausibleBirthDate', () => {
  it('agrees with the calendar for every day from 1900 on', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2025 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (year, month, day) => {
          const text = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
          const date = new Date(Date.UTC(year, month - 1, day));
          const real =
            month >= 1 &&
            day >= 1 &&
            date.getUTCFullYear() === year &&
            date.getUTCMonth() === month - 1 &&
            date.getUTCDate() === day;
          expect(isPlausibleBirthDate(text, '20991231')).toBe(real);
        },
      ),
    );
  });
});

describe('resident id properties', () => {
  it('every generated valid number validates, and its date and sex come back out', () => {
    fc.assert(
      fc.property(validResidentId, (id) => {
        const parsed = parseResidentId(id, TODAY);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.value.dateOfBirth.replaceAll('-', '')).toBe(id.slice(6, 14));
        expect(parsed.value.sex).toBe(Number(id[16]) % 2 === 1 ? 'M' : 'F');
        expect(parseResidentId(id.toLowerCase(), TODAY)).toEqual(parsed);
      }),
    );
  });

  it('the check character catches every single-character substitution', () => {
    const positions = fc.integer({ min: 0, max: 17 });
    const replacement = fc.constantFrom(...'0123456789X');
    fc.assert(
      fc.property(validResidentId, positions, replacement, (id, at, char) => {
        fc.pre(id[at] !== char && (at === 17 || char !== 'X'));
        const changed = id.slice(0, at) + char + id.slice(at + 1);
        expect(parseResidentId(changed, TODAY)).toEqual({ ok: false, reason: 'check_digit' });
      }),
    );
  });

  it('exhaustively: no single-digit change of a valid number validates', () => {
    fc.assert(
      fc.property(validResidentId, (id) => {
        for (let at = 0; at < 18; at++) {
          for (const char of '0123456789X') {
            if (char === id[at] || (char === 'X' && at < 17)) continue;
            const changed = id.slice(0, at) + char + id.slice(at + 1);
            expect(parseResidentId(changed, TODAY).ok).toBe(false);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
