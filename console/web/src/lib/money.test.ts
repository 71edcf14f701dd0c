import { describe, expect, it } from 'vitest';
import { formatMoney, fromFen, parseMoneyInput, perMille, sumAmounts, toFen } from './money';

describe('money as strings', () => {
  it('formats two-place strings with grouping and sign, without floats', () => {
    expect(formatMoney('1234567.05')).toBe('¥1,234,567.05');
    expect(formatMoney('-0.10')).toBe('-¥0.10');
    expect(formatMoney('0.00', { sign: true })).toBe('¥0.00');
    expect(formatMoney('20.00', { sign: true, bare: true })).toBe('+20.00');
    expect(formatMoney('90071992547409931.99')).toBe('¥90,071,992,547,409,931.99');
    expect(formatMoney('n/a')).toBe('n/a');
    expect(formatMoney(null)).toBe('—');
  });

  it('reads what a clerk types', () => {
    expect(parseMoneyInput('50')).toBe('50.00');
    expect(parseMoneyInput(' ¥1,000.5 ')).toBe('1000.50');
    expect(parseMoneyInput('１００．２５')).toBe('100.25');
    expect(parseMoneyInput('007.')).toBe('7.00');
    expect(parseMoneyInput('1.234')).toBeUndefined();
    expect(parseMoneyInput('-5')).toBeUndefined();
    expect(parseMoneyInput('1e3')).toBeUndefined();
    expect(parseMoneyInput('')).toBeUndefined();
  });

  it('sums exactly in fen', () => {
    expect(sumAmounts(['0.10', '0.20', '-0.05'])).toBe('0.25');
    expect(toFen('-12.34')).toBe(-1234n);
    expect(fromFen(-5n)).toBe('-0.05');
    expect(fromFen(123456n)).toBe('1234.56');
    expect(perMille(1n, 3n)).toBe(333);
    expect(perMille(5n, 0n)).toBe(0);
  });
});
