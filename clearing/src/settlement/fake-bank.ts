import type { Amount } from '@citycard/core/money';
import { parsePaymentFile, type PaymentLine } from './bank-file.js';
import {
  renderConfirmation,
  type ConfirmationLine,
  type ConfirmationStatus,
} from './bank-confirmation.js';

/**
 * FAKE BANK, for tests and the demo only. It stands at the boundary where a real bank would
 * take the payment file and later send its confirmation: it reads a payment file (checking the
 * control totals as a bank would) and writes a confirmation that pays every line as instructed,
 * unless told to alter, reject or drop lines, or to add lines the file never had.
 */
export interface FakeBankOptions {
  readonly confirmationId?: string;
  readonly valueDate?: string;
  /** Per payment line: pay another amount, reject it, or leave it out of the confirmation. */
  readonly alter?: (
    line: PaymentLine,
  ) => { amount?: Amount; status?: ConfirmationStatus } | 'drop' | undefined;
  readonly extraLines?: readonly ConfirmationLine[];
}

export function fakeBankConfirm(paymentCsv: string, opts: FakeBankOptions = {}): string {
  const file = parsePaymentFile(paymentCsv);
  const lines: ConfirmationLine[] = [];
  file.lines.forEach((line, i) => {
    const change = opts.alter?.(line);
    if (change === 'drop') return;
    lines.push({
      reference: line.reference,
      amount: change?.amount ?? line.amount,
      status: change?.status ?? 'PAID',
      bankReference: `FAKEBANK-${file.fileId}-${i + 1}`,
    });
  });
  return renderConfirmation({
    confirmationId: opts.confirmationId ?? `FAKEBANK-CONF-${file.fileId}`,
    paymentFileId: file.fileId,
    valueDate: opts.valueDate ?? file.day,
    lines: [...lines, ...(opts.extraLines ?? [])],
  });
}
