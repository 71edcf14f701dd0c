import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '@citycard/core/errors';
import { Amount } from '@citycard/core/money';
import {
  CARD_COMMANDS,
  CARD_STATES,
  canApply,
  commandsFrom,
  holdsDeposit,
  hotlistChangeFor,
  isTerminal,
  refusedWhileTransferPending,
  settle,
  transition,
  type CardCommand,
  type CardState,
} from './lifecycle.js';

describe('card lifecycle', () => {
  it('follows the documented paths', () => {
    let s: CardState = 'stock';
    for (const c of ['issue', 'activate', 'freeze', 'unfreeze', 'report_lost', 'block'] as const) {
      s = transition(s, c);
    }
    expect(s).toBe('blocked');
    expect(transition('blocked', 'replace')).toBe('replaced');
    expect(transition('active', 'replace')).toBe('replaced');
    expect(transition('lost_reported', 'refund')).toBe('refunded');
    expect(transition('personalised', 'cancel')).toBe('cancelled');
    expect(transition('frozen', 'expire')).toBe('expired');
  });

  it('refuses an illegal command with the state and the command named', () => {
    try {
      transition('stock', 'activate');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({
        code: 'CARD_TRANSITION_ILLEGAL',
        httpStatus: 409,
        details: { from: 'stock', command: 'activate' },
      });
    }
    expect(() => transition('frozen', 'replace')).toThrow(AppError);
    expect(() => transition('stock', 'expire')).toThrow(AppError);
  });

  it('ends in replaced, refunded, cancelled and expired, and only there', () => {
    expect(CARD_STATES.filter(isTerminal)).toEqual([
      'replaced',
      'refunded',
      'cancelled',
      'expired',
    ]);
    for (const s of CARD_STATES) {
      for (const c of commandsFrom(s)) expect(CARD_STATES).toContain(transition(s, c));
    }
  });

  it('hotlists every command that ends or suspends use, and unlists on unfreeze', () => {
    const listed = CARD_COMMANDS.filter((c) => hotlistChangeFor(c)?.action === 'add');
    expect(listed.sort()).toEqual(
      ['block', 'cancel', 'freeze', 'refund', 'replace', 'report_lost'].sort(),
    );
    expect(hotlistChangeFor('unfreeze')).toEqual({ action: 'remove', reason: 'unfrozen' });
    expect(hotlistChangeFor('activate')).toBeUndefined();
    expect(hotlistChangeFor('expire')).toBeUndefined();
  });

  it('pays out exactly the deposit and the balance on refund', () => {
    const deposit = Amount.fromFen(2000n);
    const balance = Amount.fromFen(1234n);
    const s = settle('refund', { deposit, balance });
    expect(s.cash.map((m) => [m.kind, m.amount.toString()])).toEqual([
      ['deposit_refunded', '-20.00'],
      ['balance_refunded', '-12.34'],
    ]);
    expect(settle('refund', { deposit: Amount.zero, balance: Amount.zero }).cash).toEqual([]);
    expect(settle('issue', { deposit, balance: Amount.zero }).cash).toEqual([
      { kind: 'deposit_taken', amount: deposit },
    ]);
  });
});

// --- model test: a fleet of cards driven by random commands, with the books kept alongside

const MAX_BALANCE = 100_000n;

type Op =
  // `legal` picks among the commands the card's state allows, so that runs get deep.
  | {
      kind: 'command';
      card: number;
      command: CardCommand;
      legal: number | null;
      depositFen: bigint;
    }
  | { kind: 'import' }
  | { kind: 'load' | 'debit'; card: number; fen: bigint }
  | { kind: 'release'; transfer: number };

interface ModelCard {
  state: CardState;
  deposit: bigint;
  balance: bigint;
  replacedBy?: number;
}

interface Books {
  cards: ModelCard[];
  transfers: { from: number; to: number; released: boolean }[];
  depositsTaken: bigint;
  depositsPaid: bigint;
  loaded: bigint;
  debited: bigint;
  balancesPaid: bigint;
  movedOut: bigint;
  movedIn: bigint;
}

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('command' as const),
      card: fc.nat(40),
      command: fc.constantFrom(...CARD_COMMANDS),
      legal: fc.option(fc.nat(9), { freq: 4 }),
      depositFen: fc.constantFrom(0n, 2000n, 5000n),
    }),
    weight: 6,
  },
  { arbitrary: fc.constant({ kind: 'import' as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('load' as const, 'debit' as const),
      card: fc.nat(40),
      fen: fc.bigInt({ min: 1n, max: 60_000n }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('release' as const), transfer: fc.nat(10) }),
    weight: 2,
  },
);

function target(books: Books, card: number): number {
  let i = card;
  for (
    let next = books.cards[i]?.replacedBy;
    next !== undefined;
    next = books.cards[i]?.replacedBy
  ) {
    i = next;
  }
  return i;
}

function pendingToward(books: Books, card: number): boolean {
  return books.transfers.some((t) => !t.released && target(books, t.to) === card);
}

function runCommand(books: Books, index: number, command: CardCommand, depositFen: bigint): void {
  const card = books.cards[index];
  if (card === undefined) return;
  if (!canApply(card.state, command)) {
    const before = structuredClone(card);
    expect(() => transition(card.state, command)).toThrow(AppError);
    expect(card).toEqual(before);
    return;
  }
  if (refusedWhileTransferPending(command) && pendingToward(books, index)) return;
  const next = transition(card.state, command);
  const deposit = command === 'issue' ? depositFen : card.deposit;
  const s = settle(command, {
    deposit: Amount.fromFen(deposit),
    balance: Amount.fromFen(card.balance),
  });
  for (const m of s.cash) {
    if (m.amount.isPositive()) books.depositsTaken += m.amount.toFen();
    else if (m.kind === 'deposit_refunded') books.depositsPaid -= m.amount.toFen();
    else books.balancesPaid -= m.amount.toFen();
  }
  card.balance -= s.balanceRefunded.toFen();
  if (command === 'issue') card.deposit = depositFen;
  card.state = next;
  if (s.balanceHeldForTransfer) {
    const successor = books.cards.length;
    books.cards.push({
      state: transition('stock', 'issue'),
      deposit: s.depositMoved.toFen(),
      balance: 0n,
    });
    card.replacedBy = successor;
    books.transfers.push({ from: index, to: successor, released: false });
  }
}

function runOp(books: Books, o: Op): void {
  const card = 'card' in o ? books.cards[o.card % books.cards.length] : undefined;
  switch (o.kind) {
    case 'import':
      books.cards.push({ state: 'stock', deposit: 0n, balance: 0n });
      return;
    case 'command': {
      const legal = card === undefined ? [] : commandsFrom(card.state);
      const command = o.legal === null ? o.command : (legal[o.legal % legal.length] ?? o.command);
      return runCommand(books, o.card % books.cards.length, command, o.depositFen);
    }
    case 'load':
      if (card?.state === 'active' && card.balance + o.fen <= MAX_BALANCE) {
        card.balance += o.fen;
        books.loaded += o.fen;
      }
      return;
    case 'debit':
      if (card !== undefined && card.balance >= o.fen) {
        card.balance -= o.fen;
        books.debited += o.fen;
      }
      return;
    case 'release': {
      const t = books.transfers[o.transfer % Math.max(books.transfers.length, 1)];
      const from = t === undefined ? undefined : books.cards[t.from];
      const to = t === undefined ? undefined : books.cards[target(books, t.to)];
      if (t === undefined || t.released || from === undefined || to === undefined) return;
      books.movedOut += from.balance;
      books.movedIn += from.balance;
      to.balance += from.balance;
      from.balance = 0n;
      t.released = true;
    }
  }
}

/** Returns what is wrong with the books, plain checks rather than expect() to keep runs fast. */
function problemIn(books: Books): string | undefined {
  const held = books.cards.reduce((n, c) => n + (holdsDeposit(c.state) ? c.deposit : 0n), 0n);
  if (held + books.depositsPaid !== books.depositsTaken) return 'deposits do not add up';
  const balances = books.cards.reduce((n, c) => n + c.balance, 0n);
  if (balances + books.balancesPaid !== books.loaded - books.debited)
    return 'balances do not add up';
  if (books.movedOut !== books.movedIn) return 'transfers out and in differ';
  for (const [i, c] of books.cards.entries()) {
    if (!CARD_STATES.includes(c.state)) return `card ${i} in an undefined state`;
    if (c.balance < 0n) return `card ${i} below zero`;
    if ((c.state === 'refunded' || c.state === 'cancelled') && c.balance !== 0n) {
      return `card ${i} ${c.state} with a balance`;
    }
    const waiting = books.transfers.some((t) => t.from === i && !t.released);
    if (c.state === 'replaced' && c.balance !== 0n && !waiting) return `card ${i} balance stranded`;
  }
  return undefined;
}

describe('card lifecycle model', () => {
  it('never reaches an undefined state and accounts for every fen of deposit and balance', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 150, size: 'max' }), (ops) => {
        const books: Books = {
          cards: Array.from({ length: 4 }, () => ({
            state: 'stock' as const,
            deposit: 0n,
            balance: 0n,
          })),
          transfers: [],
          depositsTaken: 0n,
          depositsPaid: 0n,
          loaded: 0n,
          debited: 0n,
          balancesPaid: 0n,
          movedOut: 0n,
          movedIn: 0n,
        };
        for (const o of ops) {
          runOp(books, o);
          expect(problemIn(books)).toBeUndefined();
        }
      }),
      { numRuns: 200 },
    );
  });
});
