import { AppError } from '@citycard/core/errors';
import { Amount } from '@citycard/core/money';

export const CARD_STATES = [
  'stock',
  'personalised',
  'active',
  'frozen',
  'lost_reported',
  'blocked',
  'replaced',
  'refunded',
  'cancelled',
  'expired',
] as const;
export type CardState = (typeof CARD_STATES)[number];

export const CARD_COMMANDS = [
  'issue',
  'activate',
  'freeze',
  'unfreeze',
  'report_lost',
  'block',
  'replace',
  'refund',
  'cancel',
  'expire',
] as const;
export type CardCommand = (typeof CARD_COMMANDS)[number];

/** Issued and not yet finished with: the card may still be used, found, or paid out. */
export const LIVE_STATES = [
  'personalised',
  'active',
  'frozen',
  'lost_reported',
  'blocked',
] as const satisfies readonly CardState[];

interface Rule {
  readonly from: readonly CardState[];
  readonly to: CardState;
}

const RULES: Readonly<Record<CardCommand, Rule>> = {
  issue: { from: ['stock'], to: 'personalised' },
  activate: { from: ['personalised'], to: 'active' },
  freeze: { from: ['active'], to: 'frozen' },
  unfreeze: { from: ['frozen'], to: 'active' },
  report_lost: { from: ['active', 'frozen'], to: 'lost_reported' },
  block: { from: ['active', 'frozen', 'lost_reported'], to: 'blocked' },
  // From active: a damaged card, handed in at the counter.
  replace: { from: ['lost_reported', 'blocked', 'active'], to: 'replaced' },
  refund: { from: ['active', 'frozen', 'blocked', 'lost_reported'], to: 'refunded' },
  cancel: { from: ['stock', 'personalised'], to: 'cancelled' },
  expire: { from: LIVE_STATES, to: 'expired' },
};

export function canApply(from: CardState, command: CardCommand): boolean {
  return RULES[command].from.includes(from);
}

/** The state a command leads to; an illegal one is refused with the state and command named. */
export function transition(from: CardState, command: CardCommand): CardState {
  if (!canApply(from, command)) {
    throw new AppError('CARD_TRANSITION_ILLEGAL', {
      message: `A card in state ${from} cannot ${command.replace('_', ' ')}`,
      details: { from, command, allowedFrom: [...RULES[command].from] },
    });
  }
  return RULES[command].to;
}

export function commandsFrom(state: CardState): CardCommand[] {
  return CARD_COMMANDS.filter((c) => canApply(state, c));
}

export function isTerminal(state: CardState): boolean {
  return commandsFrom(state).length === 0;
}

export function isLive(state: CardState): boolean {
  return (LIVE_STATES as readonly CardState[]).includes(state);
}

/**
 * Whether the deposit taken at issue still sits with the card. A replaced card's deposit went to
 * its successor; a refunded or cancelled one was paid back. An expired card keeps it until a
 * later process settles it.
 */
export function holdsDeposit(state: CardState): boolean {
  return isLive(state) || state === 'expired';
}

/**
 * A card that a held balance is still on its way to must not be paid out or cancelled: the
 * balance would land on a card nobody can use any more.
 */
export function refusedWhileTransferPending(command: CardCommand): boolean {
  return command === 'refund' || command === 'cancel';
}

export type HotlistAction = 'add' | 'remove';
export type HotlistReason =
  'frozen' | 'unfrozen' | 'lost' | 'blocked' | 'replaced' | 'refunded' | 'cancelled';

export interface HotlistChange {
  readonly action: HotlistAction;
  readonly reason: HotlistReason;
}

/**
 * Terminals work offline, so a freeze that did not reach the hotlist would not stop a single tap:
 * freezing lists the card and unfreezing takes it off again. Every other command that ends the
 * card's use lists it; expiry does not, because the card carries its own validity date.
 */
const HOTLIST: Readonly<Partial<Record<CardCommand, HotlistChange>>> = {
  freeze: { action: 'add', reason: 'frozen' },
  unfreeze: { action: 'remove', reason: 'unfrozen' },
  report_lost: { action: 'add', reason: 'lost' },
  block: { action: 'add', reason: 'blocked' },
  replace: { action: 'add', reason: 'replaced' },
  refund: { action: 'add', reason: 'refunded' },
  cancel: { action: 'add', reason: 'cancelled' },
};

export function hotlistChangeFor(command: CardCommand): HotlistChange | undefined {
  return HOTLIST[command];
}

export type CashKind = 'deposit_taken' | 'deposit_refunded' | 'balance_refunded';

/** Signed as the drawer sees it: positive into the drawer, negative paid out. */
export interface CashMovement {
  readonly kind: CashKind;
  readonly amount: Amount;
}

/** What a card holds for its cardholder: the deposit and the shadow balance. */
export interface CardHoldings {
  readonly deposit: Amount;
  readonly balance: Amount;
}

export interface Settlement {
  /** Non-zero cash movements through the clerk's drawer. */
  readonly cash: readonly CashMovement[];
  /** The deposit handed to the replacement card, with no cash moving. */
  readonly depositMoved: Amount;
  /** The shadow balance paid out in cash, and so taken off the card. */
  readonly balanceRefunded: Amount;
  /** The balance waits for the hold period, then moves to the replacement card. */
  readonly balanceHeldForTransfer: boolean;
}

const none: Settlement = {
  cash: [],
  depositMoved: Amount.zero,
  balanceRefunded: Amount.zero,
  balanceHeldForTransfer: false,
};

/**
 * The money a command moves. For issue, `holdings.deposit` is the deposit to take in cash; for
 * every other command it is what the card holds.
 */
export function settle(command: CardCommand, holdings: CardHoldings): Settlement {
  switch (command) {
    case 'issue':
      return { ...none, cash: nonZero([{ kind: 'deposit_taken', amount: holdings.deposit }]) };
    case 'refund':
    case 'cancel':
      return {
        ...none,
        cash: nonZero([
          { kind: 'deposit_refunded', amount: holdings.deposit.neg() },
          { kind: 'balance_refunded', amount: holdings.balance.neg() },
        ]),
        balanceRefunded: holdings.balance,
      };
    case 'replace':
      return { ...none, depositMoved: holdings.deposit, balanceHeldForTransfer: true };
    case 'activate':
    case 'freeze':
    case 'unfreeze':
    case 'report_lost':
    case 'block':
    case 'expire':
      return none;
  }
}

function nonZero(moves: CashMovement[]): CashMovement[] {
  return moves.filter((m) => !m.amount.isZero());
}
