import type { Amount } from '@citycard/core/money';
import { parseAmount, sumAmounts } from '@citycard/core/money';
import { AppError } from '@citycard/core/errors';
import { csvDocument, parseCsv } from '../reports/csv.js';

/**
 * The bank payment file: a header (file id, value date, count, total), one line per payee
 * (operator id, account, amount, reference) and a trailer repeating count and total, so the bank
 * can refuse a truncated or altered file. A negative amount is a collection from that operator.
 */
export interface PaymentLine {
  readonly operatorId: string;
  readonly account: string;
  readonly amount: Amount;
  readonly reference: string;
}

export interface PaymentFile {
  readonly fileId: string;
  /** YYYY-MM-DD: the business day the file pays out. */
  readonly day: string;
  readonly lines: readonly PaymentLine[];
  readonly count: number;
  readonly total: Amount;
}

/** Fields a bank takes without quoting: no separators, quotes or formula-leading characters. */
const SAFE_FIELD = /^[A-Za-z0-9][A-Za-z0-9._:/ -]{0,63}$/;

function safe(field: string, value: string): string {
  if (!SAFE_FIELD.test(value)) {
    throw new AppError('BANK_FILE_INVALID', { message: `Unusable ${field} in a bank file` });
  }
  return value;
}

export function paymentReference(fileId: string, lineNo: number): string {
  return `${fileId}-${String(lineNo).padStart(4, '0')}`;
}

export function renderPaymentFile(file: PaymentFile): string {
  return csvDocument([
    ['H', safe('file id', file.fileId), file.day, String(file.count), file.total.toString()],
    ...file.lines.map((l) => [
      'D',
      safe('operator id', l.operatorId),
      safe('account', l.account),
      l.amount.toString(),
      safe('reference', l.reference),
    ]),
    ['T', String(file.count), file.total.toString()],
  ]);
}

export function invalid(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('BANK_FILE_INVALID', { message, ...(details ? { details } : {}) });
}

export function amountField(value: string | undefined, line: number): Amount {
  try {
    return parseAmount(value, { allowNegative: true, field: `line ${line}` });
  } catch {
    throw invalid('An amount in the file is not a two-place decimal', { line });
  }
}

export function countField(value: string | undefined, line: number): number {
  if (value === undefined || !/^(0|[1-9]\d{0,8})$/.test(value)) {
    throw invalid('A count in the file is not a whole number', { line });
  }
  return Number(value);
}

/** Reads a payment file back and checks header and trailer against its lines. */
export function parsePaymentFile(text: string): PaymentFile {
  const rows = parseCsv(text);
  const header = rows[0];
  const trailer = rows[rows.length - 1];
  if (header?.[0] !== 'H' || header.length !== 5 || trailer?.[0] !== 'T' || rows.length < 2) {
    throw invalid('A payment file starts with an H line and ends with a T line');
  }
  const lines = rows.slice(1, -1).map((r, i): PaymentLine => {
    if (r[0] !== 'D' || r.length !== 5) throw invalid('Expected a D line', { line: i + 2 });
    return {
      operatorId: r[1] ?? '',
      account: r[2] ?? '',
      amount: amountField(r[3], i + 2),
      reference: r[4] ?? '',
    };
  });
  const file: PaymentFile = {
    fileId: header[1] ?? '',
    day: header[2] ?? '',
    lines,
    count: countField(header[3], 1),
    total: amountField(header[4], 1),
  };
  checkControlTotals(
    file.count,
    file.total,
    lines.map((l) => l.amount),
    trailer,
    rows.length,
  );
  return file;
}

/** Header, trailer and lines must tell the same count and total. */
export function checkControlTotals(
  count: number,
  total: Amount,
  amounts: readonly Amount[],
  trailer: readonly string[],
  trailerLine: number,
): void {
  const trailerCount = countField(trailer[1], trailerLine);
  const trailerTotal = amountField(trailer[2], trailerLine);
  const sum = sumAmounts(amounts);
  if (count !== amounts.length || trailerCount !== amounts.length) {
    throw invalid('The control count does not match the lines', {
      header: count,
      trailer: trailerCount,
      lines: amounts.length,
    });
  }
  if (!total.eq(sum) || !trailerTotal.eq(sum)) {
    throw invalid('The control total does not match the lines', {
      header: total.toString(),
      trailer: trailerTotal.toString(),
      lines: sum.toString(),
    });
  }
}
