import type { Amount } from '@citycard/core/money';

export const ACCOUNT_KINDS = ['asset', 'liability', 'income', 'expense', 'suspense'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** One line of an entry: a debit is positive, a credit negative. */
export interface Posting {
  readonly account: string;
  readonly amount: Amount;
}

export interface EntryDraft {
  readonly kind: string;
  readonly description: string;
  readonly postings: readonly Posting[];
}

export interface EntryInput extends EntryDraft {
  readonly id: string;
  readonly runId: string | null;
  /** Business day, YYYY-MM-DD. */
  readonly day: string;
  readonly reverses?: string;
  readonly createdAt: Date;
}

export interface AccountSpec {
  readonly code: string;
  readonly kind: AccountKind;
  readonly name: string;
  readonly partyId?: string;
  readonly branchId?: string;
}

export interface AccountBalance {
  readonly code: string;
  readonly kind: AccountKind;
  /** Σ postings, debit positive: a liability with money owed shows negative. */
  readonly balance: Amount;
}
