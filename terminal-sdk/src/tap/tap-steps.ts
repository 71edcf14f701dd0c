import { toHex } from '@citycard/core/card';
import { AppError, isAppError } from '@citycard/core/errors';
import { Amount, parseAmount } from '@citycard/core/money';
import type { RecordDraft, RecordType, TransactionRecord } from '../protocol/index.js';
import type { CardSession } from './card-session.js';
import type { PendingTap } from './pending-taps.js';
import type { PerformTapInput, RefusalReason, TapOutcome } from './tap.types.js';

const LEFT_THE_FIELD = new Set([
  'CARD_REMOVED',
  'CARD_COMMAND_FAILED',
  'READER_UNPLUGGED',
  'READER_BUSY',
]);

/** The card (or its reader) went away: retrying with the card back in the field may succeed. */
export function leftTheField(e: unknown): boolean {
  return isAppError(e) && LEFT_THE_FIELD.has(e.code);
}

export function errorCode(e: unknown): string {
  return isAppError(e) ? e.code : 'INTERNAL';
}

export const hexWrites = (writes: ReadonlyArray<{ block: number; data: Buffer }>) =>
  writes.map((w) => ({ block: w.block, data: toHex(w.data) }));

/** Runs writes in order; returns those not known to be done (from the first failure on). */
export async function writeInOrder(
  session: CardSession,
  writes: ReadonlyArray<{ block: number; data: string }>,
): Promise<Array<{ block: number; data: string }>> {
  for (const [i, w] of writes.entries()) {
    try {
      await session.write(w.block, Buffer.from(w.data, 'hex'));
    } catch (e) {
      if (!leftTheField(e)) throw e;
      return writes.slice(i);
    }
  }
  return [];
}

export function chargedOutcome(
  record: TransactionRecord,
  opts: { resumed: boolean; cardComplete: boolean },
): TapOutcome {
  return {
    status: 'charged',
    type: record.type,
    amount: parseAmount(record.amount, { allowNegative: true }),
    balanceAfter: parseAmount(record.balanceAfter, { allowNegative: true }),
    record,
    ...opts,
  };
}

/**
 * After the commit point: the record becomes durable, and the pending store keeps what the card
 * still lacks (follow-up writes) or what the journal still lacks (the record).
 */
export async function recordCommitted(
  input: PerformTapInput,
  pending: PendingTap,
  opts: { resumed: boolean },
): Promise<TapOutcome> {
  const store = input.pending;
  store?.put({ ...pending, committed: true });
  let record: TransactionRecord;
  try {
    record = await input.recorder.record(pending.draft);
  } catch (e) {
    return {
      status: 'record_pending',
      pending: { ...pending, committed: true },
      errorCode: errorCode(e),
    };
  }
  if (pending.followUp.length === 0) store?.delete(pending.uid);
  else store?.put({ ...pending, committed: true, recorded: true });
  if (pending.kind === 'block') return { status: 'blocked', record };
  return chargedOutcome(record, { ...opts, cardComplete: pending.followUp.length === 0 });
}

export function blockedDraft(
  base: Omit<RecordDraft, 'type' | 'amount' | 'balanceAfter' | 'balanceBefore'>,
  balance: Amount,
): RecordDraft {
  const type: RecordType = 'card_blocked';
  const b = balance.toString();
  return { ...base, type, amount: Amount.zero.toString(), balanceBefore: b, balanceAfter: b };
}

/** A refusal as an error, for callers that report through the catalogue (CLI, simulator). */
export function refusalError(reason: RefusalReason): AppError {
  return new AppError('TAP_REFUSED', { details: { reason } });
}
