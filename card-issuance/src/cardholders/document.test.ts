import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  documentIndexText,
  documentTypes,
  maskDocumentNumber,
  maskPhone,
  parseDocument,
} from './document.js';

const TODAY = '2025-06-15';

/** The characters of `masked` that are not the mask character. */
function revealed(masked: string): number {
  return [...masked].filter((c) => c !== '*').length;
}

describe('parseDocument', () => {
  it('takes a resident id as CHN and masks it as staff screens show it', () => {
    const doc = parseDocument({ type: 'resident_id', number: '11010519491231002x' }, TODAY);
    expect(doc).toMatchObject({
      ok: true,
      value: { number: '11010519491231002X', country: 'CHN', masked: '110105********002X' },
    });
    expect(
      parseDocument({ type: 'resident_id', number: '11010519491231002X', country: 'HKG' }, TODAY),
    ).toEqual({ ok: false, reason: 'country' });
  });

  it('normalises passports to upper case and needs an alpha-3 issuing state', () => {
    const doc = parseDocument({ type: 'passport', number: ' e1234567 ', country: 'deu' }, TODAY);
    expect(doc).toMatchObject({
      ok: true,
      value: { number: 'E1234567', country: 'DEU', masked: 'E1****67', resident: null },
    });
    const bad = (number: string, country: string | undefined, reason: string) =>
      expect(parseDocument({ type: 'passport', number, country }, TODAY)).toEqual({
        ok: false,
        reason,
      });
    bad('E123', 'DEU', 'length');
    bad('E'.repeat(21), 'DEU', 'length');
    bad('E12-4567', 'DEU', 'characters');
    bad('E1234567', undefined, 'country');
    bad('E1234567', 'DE', 'country');
    bad('E1234567', 'D1U', 'country');
  });

  it('takes other documents as free text with a label', () => {
    const doc = parseDocument(
      { type: 'other', number: '  军字 第 12345678 号 ', label: ' Officer card ' },
      TODAY,
    );
    expect(doc).toMatchObject({
      ok: true,
      value: { number: '军字 第 12345678 号', label: 'Officer card', country: null },
    });
    const bad = (number: string, label: string | undefined, reason: string) =>
      expect(parseDocument({ type: 'other', number, label }, TODAY)).toEqual({ ok: false, reason });
    bad('   ', 'Officer card', 'length');
    bad('x'.repeat(41), 'Officer card', 'length');
    bad('12\u0000345', 'Officer card', 'characters');
    bad('12345', undefined, 'label');
    bad('12345', 'l'.repeat(41), 'label');
    expect(parseDocument({ type: 'other', number: '1', label: 'x', country: 'Q' }, TODAY)).toEqual({
      ok: false,
      reason: 'country',
    });
  });

  it('passes the resident id reasons through', () => {
    expect(parseDocument({ type: 'resident_id', number: '110105194912310021' }, TODAY)).toEqual({
      ok: false,
      reason: 'check_digit',
    });
  });
});

describe('masks', () => {
  it('keep two characters at each end of a long passport and only the tail of a short one', () => {
    expect(maskDocumentNumber('passport', 'G12345678')).toBe('G1*****78');
    expect(maskDocumentNumber('passport', 'AB123')).toBe('***23');
    expect(maskDocumentNumber('other', '1234')).toBe('****');
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskPhone('5551234')).toBe('***1234');
    expect(maskPhone('110')).toBe('***');
  });

  it('never reveal more than 10 characters, nor most of the value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...documentTypes),
        fc.string({ maxLength: 60 }),
        (type, number) => {
          const masked = maskDocumentNumber(type, number.replaceAll('*', '#'));
          expect(revealed(masked)).toBeLessThanOrEqual(10);
          expect(revealed(masked)).toBeLessThanOrEqual(Math.ceil([...number].length * 0.6));
          expect([...masked]).toHaveLength([...number].length);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (phone) => {
        const masked = maskPhone(phone.replaceAll('*', '#'));
        expect(revealed(masked)).toBeLessThanOrEqual(7);
        expect(revealed(masked)).toBeLessThanOrEqual(Math.ceil([...phone].length * 0.6));
      }),
    );
  });
});

describe('documentIndexText', () => {
  it('tells passports of different states apart and ignores the label of other documents', () => {
    const a = documentIndexText({ type: 'passport', number: 'E1234567', country: 'DEU' });
    const b = documentIndexText({ type: 'passport', number: 'E1234567', country: 'FRA' });
    expect(a).not.toBe(b);
    expect(
      documentIndexText({ type: 'resident_id', number: '11010519491231002X', country: 'CHN' }),
    ).toBe('resident_id:11010519491231002X');
  });
});
