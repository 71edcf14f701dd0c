import { Amount } from '@citycard/core/money';
import { csvDocument, parseCsv } from '../reports/csv.js';
import {
  amountField,
  checkControlTotals,
  countField,
  invalid,
  type PaymentLine,
} from './bank-file.js';

/**
 * The bank's confirmation of a payment file: a header (confirmation id, the payment file id, value
 * date, count, total), one C line per payment it executed or rejected (reference, amount, status,
 * the bank's own reference) and a trailer (count, total).
 */
export const confirmationStatuses = ['PAID', 'REJECTED'] as const;
export type ConfirmationStatus = (typeof confirmationStatuses)[number];

export interface ConfirmationLine {
  readonly reference: string;
  readonly amount: Amount;
  readonly status: ConfirmationStatus;
  readonly bankReference: string;
}

export interface Confirmation {
  readonly confirmationId: string;
  readonly paymentFileId: string;
  readonly valueDate: string;
  readonly lines: readonly ConfirmationLine[];
}

export function renderConfirmation(c: Confirmation): string {
  const total = c.lines.reduce((s, l) => s.add(l.amount), Amount.zero).toString();
  const count = String(c.lines.length);
  return csvDocument([
    ['H', c.confirmationId, c.paymentFileId, c.valueDate, count, total],
    ...c.lines.map((l) => ['C', l.reference, l.amount.toString(), l.status, l.bankReference]),
    ['T', count, total],
  ]);
}

function isStatus(s: string | undefined): s is ConfirmationStatus {
  return (confirmationStatuses as readonly (string | undefined)[]).includes(s);
}

export function parseConfirmation(text: string): Confirmation {
  const rows = parseCsv(text);
  const header = rows[0];
  const trailer = rows[rows.length - 1];
  if (header?.[0] !== 'H' || header.length !== 6 || trailer?.[0] !== 'T' || rows.length < 2) {
    throw invalid('A confirmation file starts with an H line and ends with a T line');
  }
  const lines = rows.slice(1, -1).map((r, i): ConfirmationLine => {
    const status = r[3];
    if (r[0] !== 'C' || r.length !== 5 || !isStatus(status)) {
      throw invalid('Expected a C line with status PAID or REJECTED', { line: i + 2 });
    }
    return {
      reference: r[1] ?? '',
      amount: amountField(r[2], i + 2),
      status,
      bankReference: r[4] ?? '',
    };
  });
  const count = countField(header[4], 1);
  const total = amountField(header[5], 1);
  checkControlTotals(
    count,
    total,
    lines.map((l) => l.amount),
    trailer,
    rows.length,
  );
  return {
    confirmationId: header[1] ?? '',
    paymentFileId: header[2] ?? '',
    valueDate: header[3] ?? '',
    lines,
  };
}

/**
 * matched: paid, same reference and amount. difference: paid under a known reference with
 * another amount. rejected: the bank refused the payment. unmatched: a reference the file never
 * had, or one confirmed twice. missing: a payment line the bank did not confirm at all.
 */
export type MatchOutcome = 'matched' | 'difference' | 'rejected' | 'unmatched' | 'missing';

export interface MatchLine {
  readonly outcome: MatchOutcome;
  readonly reference: string;
  readonly operatorId: string | null;
  /** What the payment file said (null for an unmatched confirmation line). */
  readonly expected: Amount | null;
  /** What the bank confirmed (null for a missing line). */
  readonly confirmed: Amount | null;
  readonly bankReference: string | null;
}

export interface MatchResult {
  readonly lines: readonly MatchLine[];
  readonly counts: Readonly<Record<MatchOutcome, number>>;
  /** Every payment line matched and nothing else in the confirmation. */
  readonly clean: boolean;
}

function classify(paid: PaymentLine | undefined, c: ConfirmationLine): MatchOutcome {
  if (paid === undefined) return 'unmatched';
  if (c.status === 'REJECTED') return 'rejected';
  return paid.amount.eq(c.amount) ? 'matched' : 'difference';
}

export function matchConfirmation(
  payments: readonly PaymentLine[],
  confirmation: Confirmation,
): MatchResult {
  const open = new Map(payments.map((p) => [p.reference, p]));
  const lines: MatchLine[] = [];
  for (const c of confirmation.lines) {
    const paid = open.get(c.reference);
    open.delete(c.reference);
    lines.push({
      outcome: classify(paid, c),
      reference: c.reference,
      operatorId: paid?.operatorId ?? null,
      expected: paid?.amount ?? null,
      confirmed: c.amount,
      bankReference: c.bankReference,
    });
  }
  for (const p of open.values()) {
    lines.push({
      outcome: 'missing',
      reference: p.reference,
      operatorId: p.operatorId,
      expected: p.amount,
      confirmed: null,
      bankReference: null,
    });
  }
  const counts = { matched: 0, difference: 0, rejected: 0, unmatched: 0, missing: 0 };
  for (const l of lines) counts[l.outcome] += 1;
  return { lines, counts, clean: counts.matched === lines.length };
}
