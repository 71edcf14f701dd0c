import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Amount, sumAmounts } from '@citycard/core/money';
import { parsePaymentFile, renderPaymentFile, type PaymentLine } from './bank-file.js';
import { matchConfirmation, parseConfirmation } from './bank-confirmation.js';
import { fakeBankConfirm } from './fake-bank.js';
import { adjustmentsFor, paymentPostings } from './payment-entry.js';

const fen = fc.bigInt({ min: -10_000_000n, max: 10_000_000n }).filter((f) => f !== 0n);
const lines = fc.array(fen, { minLength: 0, maxLength: 12 }).map((amounts): PaymentLine[] =>
  amounts.map((f, i) => ({
    operatorId: `op-${i}`,
    account: `6222${i}0000`,
    amount: Amount.fromFen(f),
    reference: `F1-${String(i + 1).padStart(4, '0')}`,
  })),
);
type Change = 'same' | 'drop' | 'reject' | 'short';
const changes = fc.array(fc.constantFrom<Change>('same', 'drop', 'reject', 'short'), {
  maxLength: 12,
});

describe('payment file and bank confirmation', () => {
  it('round-trips a payment file with its control totals', () => {
    fc.assert(
      fc.property(lines, (ls) => {
        const total = sumAmounts(ls.map((l) => l.amount));
        const file = { fileId: 'F1', day: '2001-01-01', lines: ls, count: ls.length, total };
        const back = parsePaymentFile(renderPaymentFile(file));
        expect(back.count).toBe(ls.length);
        expect(back.total.eq(total)).toBe(true);
        expect(back.lines.map((l) => l.amount.toString())).toEqual(
          ls.map((l) => l.amount.toString()),
        );
      }),
    );
  });

  it('refuses a file whose trailer disagrees with its lines', () => {
    const text = 'H,F1,2001-01-01,1,5.00\r\nD,op,62220000,5.00,F1-0001\r\nT,1,5.01\r\n';
    expect(() => parsePaymentFile(text)).toThrow(/control total/);
  });

  it('classifies every line once, and books a balanced entry whatever the bank did', () => {
    fc.assert(
      fc.property(lines, changes, fc.integer({ min: 0, max: 3 }), (ls, cs, extra) => {
        const total = sumAmounts(ls.map((l) => l.amount));
        const csv = renderPaymentFile({
          fileId: 'F1',
          day: '2001-01-01',
          lines: ls,
          count: ls.length,
          total,
        });
        const confirmation = fakeBankConfirm(csv, {
          alter: (l) => {
            const c = cs[Number(l.reference.slice(3)) - 1] ?? 'same';
            if (c === 'drop') return 'drop';
            if (c === 'reject') return { status: 'REJECTED' };
            return c === 'short' ? { amount: l.amount.sub(Amount.fromFen(1n)) } : undefined;
          },
          extraLines: Array.from({ length: extra }, (_, i) => ({
            reference: `X-${i}`,
            amount: Amount.fromFen(BigInt(i + 1)),
            status: 'PAID' as const,
            bankReference: `B${i}`,
          })),
        });
        const result = matchConfirmation(ls, parseConfirmation(confirmation));
        expect(result.lines).toHaveLength(ls.length + extra);
        expect(result.counts.unmatched).toBe(extra);
        expect(result.clean).toBe(extra === 0 && ls.every((_, i) => (cs[i] ?? 'same') === 'same'));
        const postings = paymentPostings(result.lines);
        expect(sumAmounts(postings.map((p) => p.amount)).isZero()).toBe(true);
        const owed = sumAmounts(adjustmentsFor(result.lines).map((a) => a.amount));
        const paid = result.lines
          .filter((l) => l.outcome === 'matched' || l.outcome === 'difference')
          .map((l) => l.confirmed ?? Amount.zero);
        expect(owed.add(sumAmounts(paid)).eq(total)).toBe(true);
      }),
    );
  });
});
