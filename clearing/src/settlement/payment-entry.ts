import { randomUUID } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import { Amount } from '@citycard/core/money';
import {
  ACCOUNTS,
  draftEntry,
  ensureAccounts,
  operatorPayable,
  postEntries,
  type Posting,
} from '../ledger/index.js';
import type { MatchLine } from './bank-confirmation.js';

/** What the bank moved for a line: the confirmed amount when paid, nothing otherwise. */
function moved(line: MatchLine): Amount {
  return line.outcome === 'matched' || line.outcome === 'difference' || line.outcome === 'unmatched'
    ? (line.confirmed ?? Amount.zero)
    : Amount.zero;
}

/**
 * The payment as the bank confirmed it: each payable is cleared by what the file said (E), the
 * bank moves what it confirmed (C), and E − C goes back out of settlement_adjustments, because an
 * adjustment of E − C owed to the operator is booked again by the next run. A confirmed line the
 * file never had is money in suspense until someone explains it.
 */
export function paymentPostings(lines: readonly MatchLine[]): Posting[] {
  const postings: Posting[] = [];
  for (const line of lines) {
    const c = moved(line);
    if (line.outcome === 'unmatched' || line.operatorId === null || line.expected === null) {
      postings.push({ account: ACCOUNTS.suspense, amount: c });
    } else {
      postings.push({ account: operatorPayable(line.operatorId).code, amount: line.expected });
      postings.push({ account: ACCOUNTS.settlementAdjustments, amount: c.sub(line.expected) });
    }
    postings.push({ account: ACCOUNTS.settlementBank, amount: c.neg() });
  }
  return merge(postings);
}

function merge(postings: readonly Posting[]): Posting[] {
  const byAccount = new Map<string, Amount>();
  for (const p of postings) {
    byAccount.set(p.account, (byAccount.get(p.account) ?? Amount.zero).add(p.amount));
  }
  return [...byAccount].map(([account, amount]) => ({ account, amount }));
}

/** Each line whose payable the bank did not clear in full, as an adjustment for the next run. */
export function adjustmentsFor(
  lines: readonly MatchLine[],
): { operatorId: string; amount: Amount; line: MatchLine }[] {
  return lines.flatMap((line) => {
    if (line.operatorId === null || line.expected === null) return [];
    const owed = line.expected.sub(moved(line));
    return owed.isZero() ? [] : [{ operatorId: line.operatorId, amount: owed, line }];
  });
}

export interface SettleInput {
  readonly runId: string;
  readonly day: string;
  readonly confirmationId: string;
  readonly bankConfirmationId: string;
  readonly lines: readonly MatchLine[];
  readonly actor: string;
  readonly now: Date;
}

/** Books the payment and writes the adjustments, in the caller's transaction. */
export async function bookSettlement(tx: Queryable, input: SettleInput): Promise<number> {
  const draft = draftEntry(
    'payment',
    `Bank payment of run ${input.runId} (confirmation ${input.bankConfirmationId})`.slice(0, 300),
    paymentPostings(input.lines),
  );
  if (draft !== undefined) {
    const operators = new Set(
      input.lines.flatMap((l) => (l.operatorId === null ? [] : [l.operatorId])),
    );
    await ensureAccounts(tx, [...operators].map(operatorPayable), input.now);
    await postEntries(tx, [
      { ...draft, id: randomUUID(), runId: input.runId, day: input.day, createdAt: input.now },
    ]);
  }
  const adjustments = adjustmentsFor(input.lines);
  if (adjustments.length > 0) {
    await tx.query(
      `INSERT INTO clearing.adjustments
         (id, operator_id, amount, reason, source_run_id, created_by, created_at)
       SELECT gen_random_uuid(), o, a, r, $4, $5, $6
         FROM unnest($1::text[], $2::numeric[], $3::text[]) AS t(o, a, r)`,
      [
        adjustments.map((a) => a.operatorId),
        adjustments.map((a) => a.amount.toString()),
        adjustments.map((a) =>
          `Bank confirmation ${input.bankConfirmationId}: ${a.line.outcome} on ${a.line.reference}`.slice(
            0,
            500,
          ),
        ),
        input.runId,
        input.actor,
        input.now,
      ],
    );
  }
  return adjustments.length;
}
