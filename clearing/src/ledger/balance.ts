import { Amount } from '@citycard/core/money';
import { AppError } from '@citycard/core/errors';
import type { EntryDraft, Posting } from './ledger.types.js';

export function sumPostings(postings: readonly Posting[]): Amount {
  return postings.reduce((sum, p) => sum.add(p.amount), Amount.zero);
}

export function isBalanced(entry: EntryDraft): boolean {
  return entry.postings.length >= 2 && sumPostings(entry.postings).isZero();
}

/** Refuses an entry before it reaches the database, which would refuse it at commit anyway. */
export function assertBalanced(entry: EntryDraft): void {
  if (isBalanced(entry) && entry.postings.every((p) => !p.amount.isZero())) return;
  throw new AppError('LEDGER_ENTRY_UNBALANCED', {
    details: {
      kind: entry.kind,
      postings: entry.postings.length,
      sum: sumPostings(entry.postings).toString(),
    },
  });
}

/** Postings with zero amounts dropped; undefined when fewer than two remain (nothing moves). */
export function draftEntry(
  kind: string,
  description: string,
  postings: readonly Posting[],
): EntryDraft | undefined {
  const moving = postings.filter((p) => !p.amount.isZero());
  return moving.length >= 2 ? { kind, description, postings: moving } : undefined;
}

/** The same movement the other way round. */
export function reversalOf(entry: EntryDraft): EntryDraft {
  return {
    kind: 'reversal',
    description: `Reversal: ${entry.description}`.slice(0, 300),
    postings: entry.postings.map((p) => ({ account: p.account, amount: p.amount.neg() })),
  };
}
