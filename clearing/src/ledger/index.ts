export type {
  AccountBalance,
  AccountKind,
  AccountSpec,
  EntryDraft,
  EntryInput,
  Posting,
} from './ledger.types.js';
export { ACCOUNT_KINDS } from './ledger.types.js';
export { ACCOUNTS, counterCash, ensureAccounts, operatorPayable } from './accounts.js';
export { assertBalanced, draftEntry, isBalanced, reversalOf, sumPostings } from './balance.js';
export {
  accountBalance,
  accountBalances,
  postEntries,
  reverseRunEntries,
  runPostingTotals,
} from './journal.js';
