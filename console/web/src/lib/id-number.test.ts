import { describe, expect, it } from 'vitest';
import { checkCharacter, checkIdNumber } from './id-number';

const today = '2030-01-01';

function make(body: string): string {
  return body + checkCharacter(body);
}

describe('resident identity numbers as typed', () => {
  it('knows a valid number, its birth date and sex', () => {
    const id = make('11010519491231002');
    expect(id).toBe('11010519491231002X');
    expect(checkIdNumber(id.toLowerCase(), today)).toEqual({
      state: 'valid',
      number: id,
      dateOfBirth: '1949-12-31',
      sex: 'F',
    });
  });

  it('waits while digits are still coming', () => {
    expect(checkIdNumber('', today)).toEqual({ state: 'empty' });
    expect(checkIdNumber('1101', today)).toEqual({ state: 'typing', typed: 4 });
  });

  it('names the problem', () => {
    const id = make('31010119850307123');
    const wrong = id.slice(0, 17) + (id.endsWith('0') ? '1' : '0');
    expect(checkIdNumber(wrong, today)).toMatchObject({ problem: 'check_digit' });
    expect(checkIdNumber('11010A', today)).toMatchObject({ problem: 'characters' });
    expect(checkIdNumber(`${id}1`, today)).toMatchObject({ problem: 'length' });
    expect(checkIdNumber(make('99010119850307123'), today)).toMatchObject({ problem: 'region' });
    expect(checkIdNumber(make('31010119850230123'), today)).toMatchObject({
      problem: 'birth_date',
    });
    expect(checkIdNumber(make('31010120350101123'), today)).toMatchObject({
      problem: 'birth_date',
    });
  });

  it('takes full-width digits', () => {
    const id = make('31010119850307123');
    const wide = [...id].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    expect(checkIdNumber(wide, today)).toMatchObject({ state: 'valid', number: id });
  });
});
