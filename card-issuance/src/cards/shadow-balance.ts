import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { parseAmount, type Amount } from '@citycard/core/money';
import { cardNotFound } from './card.repository.js';
import { isLive, type CardState } from './lifecycle.js';

export const SHADOW_ENTRY_KINDS = [
  'load',
  'debit',
  'transfer_out',
  'transfer_in',
  'refund',
  // Written elsewhere, listed so that reading an entry never fails on its kind.
  'correction',
  'fare_refund',
] as const;
export type ShadowEntryKind = (typeof SHADOW_ENTRY_KINDS)[number];

export interface ShadowEntryInput {
  readonly cardId: string;
  readonly kind: ShadowEntryKind;
  /** The size of the movement, positive; the kind gives its direction. */
  readonly amount: Amount;
  /** What the money is: a top-up id, a gateway transaction, a transfer. */
  readonly reference: string;
  /** Defaults to the transaction's start time. */
  readonly at?: Date;
}

export interface ShadowEntry {
  readonly cardId: string;
  readonly seq: number;
  readonly kind: ShadowEntryKind;
  /** Signed: + load and transfer_in, − the rest. */
  readonly amount: Amount;
  readonly balanceAfter: Amount;
  readonly reference: string;
  readonly at: Date;
}

const INCREASES: ReadonlySet<ShadowEntryKind> = new Set(['load', 'transfer_in']);

/**
 * Loads only onto an active card. A transfer may land on any card that still holds money for its
 * holder. Money leaving (debits the gateway saw, transfers out, refunds) is recorded whatever the
 * state: it happened, and the books must show it.
 */
function accepts(state: CardState, kind: ShadowEntryKind): boolean {
  switch (kind) {
    case 'load':
      return state === 'active';
    case 'transfer_in':
      return isLive(state) || state === 'expired';
    case 'debit':
    case 'transfer_out':
    case 'refund':
      return state !== 'stock';
    // Counter corrections and terminal postings go through their own paths, not this one.
    case 'correction':
    case 'fare_refund':
      return false;
  }
}

interface Locked {
  state: CardState;
  maxBalance: string | null;
  balance: string;
  seq: number;
}

async function lockForEntry(tx: Queryable, cardId: string): Promise<Locked> {
  const { rows } = await tx.query<Locked>(
    `SELECT c.state, p.max_balance::text AS "maxBalance",
       COALESCE(e.balance_after, 0.00)::numeric(18,2)::text AS balance, COALESCE(e.seq, 0) AS seq
     FROM cards c
     LEFT JOIN products p ON p.code = c.product_code
     LEFT JOIN LATERAL (
       SELECT balance_after, seq FROM shadow_balance_entries s
       WHERE s.card_id = c.id ORDER BY s.seq DESC LIMIT 1
     ) e ON true
     WHERE c.id = $1
     FOR UPDATE OF c`,
    [cardId],
  );
  const row = rows[0];
  if (row === undefined) throw cardNotFound({ cardId });
  return row;
}

/**
 * Appends one entry to a card's shadow balance under the card's row lock. Refuses a decrease to
 * below zero, and an increase past the product's maximum balance (a decrease is always let through, even
 * if the maximum was lowered since).
 */
export async function postShadowEntry(
  tx: Queryable,
  input: ShadowEntryInput,
): Promise<ShadowEntry> {
  if (!input.amount.isPositive()) {
    throw new AppError('AMOUNT_OUT_OF_RANGE', {
      message: 'A balance entry moves a positive amount',
      details: { field: 'amount', value: input.amount.toString() },
    });
  }
  const card = await lockForEntry(tx, input.cardId);
  const { signed, after } = checkedResult(card, input);
  const seq = card.seq + 1;
  const { rows } = await tx.query<{ at: Date }>(
    `INSERT INTO shadow_balance_entries (card_id, seq, kind, amount, balance_after, reference, at)
     VALUES ($1, $2, $3, $4::numeric, $5::numeric, $6, COALESCE($7::timestamptz, now()))
     RETURNING at`,
    [
      input.cardId,
      seq,
      input.kind,
      signed.toString(),
      after.toString(),
      input.reference,
      input.at ?? null,
    ],
  );
  const at = rows[0]?.at ?? new Date(0);
  return { ...input, seq, amount: signed, balanceAfter: after, reference: input.reference, at };
}

function checkedResult(card: Locked, input: ShadowEntryInput): { signed: Amount; after: Amount } {
  const details = { cardId: input.cardId, state: card.state, kind: input.kind };
  if (!accepts(card.state, input.kind)) throw new AppError('SHADOW_ENTRY_REFUSED', { details });
  const increase = INCREASES.has(input.kind);
  const signed = increase ? input.amount : input.amount.neg();
  const before = parseAmount(card.balance);
  const after = before.add(signed);
  const figures = { ...details, balance: before.toString(), amount: signed.toString() };
  // Terminal debits may leave a card below zero (a clone spends money never loaded); money
  // coming in is taken whatever the balance, money the counter pays out never goes below zero.
  if (!increase && after.isNegative()) {
    throw new AppError('SHADOW_BALANCE_NEGATIVE', { details: figures });
  }
  if (increase && card.maxBalance !== null && after.gt(parseAmount(card.maxBalance))) {
    throw new AppError('SHADOW_BALANCE_ABOVE_MAX', {
      details: { ...figures, maxBalance: card.maxBalance },
    });
  }
  return { signed, after };
}

export async function shadowBalance(tx: Queryable, cardId: string): Promise<Amount> {
  const { rows } = await tx.query<{ balance: string }>(
    'SELECT balance::text AS balance FROM shadow_balances WHERE card_id = $1',
    [cardId],
  );
  const row = rows[0];
  if (row === undefined) throw cardNotFound({ cardId });
  return parseAmount(row.balance);
}

export interface ShadowEntryRow {
  readonly seq: number;
  readonly kind: ShadowEntryKind;
  readonly amount: string;
  readonly balanceAfter: string;
  readonly reference: string;
  readonly at: Date;
}

/** The most recent entries first. */
export async function listShadowEntries(
  tx: Queryable,
  cardId: string,
  limit = 50,
): Promise<ShadowEntryRow[]> {
  const { rows } = await tx.query<ShadowEntryRow>(
    `SELECT seq, kind, amount::text AS amount, balance_after::text AS "balanceAfter", reference, at
     FROM shadow_balance_entries WHERE card_id = $1 ORDER BY seq DESC LIMIT $2`,
    [cardId, limit],
  );
  return rows;
}
