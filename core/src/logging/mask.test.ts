import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskCardNumber, maskDigitRuns, maskIdNumber } from './mask.js';

describe('maskCardNumber', () => {
  it('keeps only the last four digits', () => {
    expect(maskCardNumber('3100123456789012')).toBe('************9012');
    expect(maskCardNumber('3100 1234 5678 9012')).toBe('************9012');
    expect(maskCardNumber(3100123456789012)).toBe('************9012');
  });

  it('hides a value that is not a card number whole', () => {
    expect(maskCardNumber('1234')).toBe('[redacted]');
    expect(maskCardNumber('card-ABC')).toBe('[redacted]');
  });

  it('never shows more than the last four digits of any PAN', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8,19}$/), (pan) => {
        const masked = maskCardNumber(pan);
        expect(masked).toHaveLength(pan.length);
        expect(masked.slice(-4)).toBe(pan.slice(-4));
        expect(masked.slice(0, -4)).toMatch(/^\*+$/);
      }),
    );
  });
});

describe('maskIdNumber', () => {
  it('keeps the first six and the last four characters', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });

  it('hides a short document number whole', () => {
    expect(maskIdNumber('E12345678')).toBe('*********');
  });

  it('hides everything between the kept ends', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 14, maxLength: 40 }).filter((s) => s.trim() === s),
        (id) => {
          const masked = maskIdNumber(id);
          expect(masked.slice(0, 6)).toBe(id.slice(0, 6));
          expect(masked.slice(-4)).toBe(id.slice(-4));
          expect(masked.slice(6, -4)).toBe('*'.repeat(id.length - 10));
        },
      ),
    );
  });
});

describe('maskDigitRuns', () => {
  it('masks PAN-length digit runs inside text and leaves short numbers', () => {
    expect(maskDigitRuns('/cards/3100123456789012/history?page=2')).toBe(
      '/cards/************9012/history?page=2',
    );
  });
});
