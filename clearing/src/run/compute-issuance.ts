import { Amount } from '@citycard/core/money';
import { ACCOUNTS, counterCash } from '../ledger/accounts.js';
import { draftEntry } from '../ledger/balance.js';
import type { EntryDraft } from '../ledger/ledger.types.js';
import type { CashAggregate, CashCategory, ClearingInputs } from './inputs.types.js';
import type { IssuanceTotals } from './run.types.js';

const COUNTERPART: Record<CashCategory, string> = {
  top_up_cash: ACCOUNTS.loadsPending,
  load_refund: ACCOUNTS.loadsPending,
  card_refund: ACCOUNTS.cardFloat,
  deposit_taken: ACCOUNTS.depositLiability,
  deposit_refunded: ACCOUNTS.depositLiability,
  other: ACCOUNTS.suspense,
};

function merged(cash: readonly CashAggregate[]): CashAggregate[] {
  const byKey = new Map<string, CashAggregate>();
  for (const c of cash) {
    const key = `${c.branchId}\u0000${c.category}`;
    const m = byKey.get(key);
    byKey.set(key, m ? { ...m, count: m.count + c.count, amount: m.amount.add(c.amount) } : c);
  }
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
}

/**
 * Counter cash moves against what it was for, and confirmed loads move from cash taken for loads
 * into the card float.
 */
export function issuanceEntries(inputs: ClearingInputs): EntryDraft[] {
  const drafts = merged(inputs.cash).map((c) =>
    draftEntry(
      'counter_cash',
      `Counter cash ${c.category} at branch ${c.branchId} to ${inputs.day}`,
      [
        { account: counterCash(c.branchId).code, amount: c.amount },
        { account: COUNTERPART[c.category], amount: c.amount.neg() },
      ],
    ),
  );
  drafts.push(
    draftEntry('loads', `Loads confirmed on cards to ${inputs.day}`, [
      { account: ACCOUNTS.loadsPending, amount: inputs.loads.amount },
      { account: ACCOUNTS.cardFloat, amount: inputs.loads.amount.neg() },
    ]),
  );
  return drafts.filter((d): d is EntryDraft => d !== undefined);
}

export function issuanceTotals(inputs: ClearingInputs): IssuanceTotals {
  const of = (...categories: CashCategory[]): Amount =>
    inputs.cash
      .filter((c) => categories.includes(c.category))
      .reduce((s, c) => s.add(c.amount), Amount.zero);
  return {
    loadsConfirmed: inputs.loads.amount,
    loadsCount: inputs.loads.count,
    topUpCash: of('top_up_cash'),
    depositsTaken: of('deposit_taken'),
    depositsRefunded: of('deposit_refunded'),
    balancesRefunded: of('card_refund', 'load_refund'),
    otherCash: of('other'),
    cashMovementsCount: inputs.cash.reduce((n, c) => n + c.count, 0),
  };
}
