import { randomUUID } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { Amount } from '@citycard/core/money';
import { recordAudit } from '../audit/audit.js';
import type { ActionContext } from './card-context.js';
import { requireCard } from './card.repository.js';
import { postShadowEntry, shadowBalance } from './shadow-balance.js';

export interface TransferRow {
  readonly id: string;
  readonly fromCardId: string;
  readonly toCardId: string;
  readonly holdUntil: Date;
  readonly createdAt: Date;
  readonly releasedAt: Date | null;
  /** numeric(18,2) as text, once released */
  readonly releasedAmount: string | null;
  /** What moves: the released amount, or while held the old card's shadow balance now. */
  readonly amount: string;
}

const COLUMNS = `id, from_card_id AS "fromCardId", to_card_id AS "toCardId",
  hold_until AS "holdUntil", created_at AS "createdAt", released_at AS "releasedAt",
  released_amount::text AS "releasedAmount",
  COALESCE(released_amount,
    (SELECT s.balance FROM shadow_balances s WHERE s.card_id = from_card_id))::text AS amount`;

const DAY_MS = 86_400_000;

export async function insertTransfer(
  tx: Queryable,
  fromCardId: string,
  toCardId: string,
  holdDays: number,
  now: Date,
): Promise<TransferRow> {
  const { rows } = await tx.query<TransferRow>(
    `INSERT INTO balance_transfers (id, from_card_id, to_card_id, hold_until, created_at)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [randomUUID(), fromCardId, toCardId, new Date(now.getTime() + holdDays * DAY_MS), now],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('balance transfer insert returned nothing');
  return row;
}

/** The transfers out of and into a card, for its view. */
export async function transfersOf(tx: Queryable, cardId: string): Promise<TransferRow[]> {
  const { rows } = await tx.query<TransferRow>(
    `SELECT ${COLUMNS} FROM balance_transfers WHERE from_card_id = $1 OR to_card_id = $1
     ORDER BY created_at`,
    [cardId],
  );
  return rows;
}

/** A released balance transfer that reached this card's shadow balance but not yet its chip. */
export interface OwedTransfer {
  readonly transferId: string;
  /** numeric(18,2) as text, above zero */
  readonly amount: string;
}

/**
 * The transfers released onto this card (its transfer_in entries: the release may have landed on
 * a later replacement than the one first named) that have no chip credit yet, oldest first.
 */
export async function owedTransfers(tx: Queryable, cardId: string): Promise<OwedTransfer[]> {
  const { rows } = await tx.query<OwedTransfer>(
    `SELECT t.id AS "transferId", e.amount::text AS amount
       FROM shadow_balance_entries e
       JOIN balance_transfers t
         ON t.id = CASE WHEN e.reference ~ '^balance_transfer:[0-9a-f-]{36}$'
                        THEN substr(e.reference, 18)::uuid END
      WHERE e.card_id = $1 AND e.kind = 'transfer_in'
        AND NOT EXISTS (SELECT 1 FROM loads l WHERE l.transfer_id = t.id)
      ORDER BY e.seq`,
    [cardId],
  );
  return rows;
}

/**
 * Refuses when a held balance is still on its way to this card, directly or through a card it
 * replaced: the balance would arrive on a card that has been paid out.
 */
export async function refuseIfTransferPending(tx: Queryable, cardId: string): Promise<void> {
  const { rows } = await tx.query<{ id: string; holdUntil: Date }>(
    `WITH RECURSIVE chain (id) AS (
       SELECT $1::uuid
       UNION ALL
       SELECT c.id FROM cards c JOIN chain ON c.replaced_by = chain.id
     )
     SELECT t.id, t.hold_until AS "holdUntil" FROM balance_transfers t
     JOIN chain ON t.to_card_id = chain.id WHERE t.released_at IS NULL LIMIT 1`,
    [cardId],
  );
  const pending = rows[0];
  if (pending !== undefined) {
    throw new AppError('BALANCE_TRANSFER_PENDING', {
      details: { cardId, transferId: pending.id, holdUntil: pending.holdUntil.toISOString() },
    });
  }
}

/** Where a transfer lands: its target card, or that card's own replacement, and so on. */
async function currentSuccessor(tx: Queryable, cardId: string): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `WITH RECURSIVE chain (id, depth) AS (
       SELECT $1::uuid, 0
       UNION ALL
       SELECT c.replaced_by, chain.depth + 1 FROM cards c JOIN chain ON c.id = chain.id
       WHERE c.replaced_by IS NOT NULL
     )
     SELECT id FROM chain ORDER BY depth DESC LIMIT 1`,
    [cardId],
  );
  return rows[0]?.id ?? cardId;
}

export interface Release {
  readonly transfer: TransferRow;
  readonly toCardId: string;
  readonly amount: Amount;
}

/**
 * Moves a replaced card's shadow balance to its replacement once the hold has passed. What moves
 * is the balance at release: debits that arrived during the hold have already come off it.
 */
export async function releaseTransfer(
  tx: Queryable,
  ctx: ActionContext,
  cardId: string,
): Promise<Release> {
  await requireCard(tx, cardId, { forUpdate: true });
  const { rows } = await tx.query<TransferRow>(
    `SELECT ${COLUMNS} FROM balance_transfers WHERE from_card_id = $1 FOR UPDATE`,
    [cardId],
  );
  const pending = rows[0];
  if (pending === undefined || pending.releasedAt !== null) {
    throw new AppError('BALANCE_TRANSFER_NOT_PENDING', { details: { cardId } });
  }
  if (ctx.now.getTime() < pending.holdUntil.getTime()) {
    throw new AppError('BALANCE_TRANSFER_HELD', {
      details: { cardId, holdUntil: pending.holdUntil.toISOString() },
    });
  }
  const toCardId = await currentSuccessor(tx, pending.toCardId);
  const amount = await shadowBalance(tx, cardId);
  if (amount.isPositive()) {
    const reference = `balance_transfer:${pending.id}`;
    const base = { amount, reference, at: ctx.now };
    await postShadowEntry(tx, { ...base, cardId, kind: 'transfer_out' });
    await postShadowEntry(tx, { ...base, cardId: toCardId, kind: 'transfer_in' });
  }
  const transfer = await markReleased(tx, pending.id, amount, ctx);
  await recordAudit(tx, {
    actor: ctx.staff,
    action: 'card.release_transfer',
    targetType: 'card',
    targetId: cardId,
    requestId: ctx.requestId,
    after: { transferId: pending.id, toCardId, amount: amount.toString() },
  });
  return { transfer, toCardId, amount };
}

async function markReleased(
  tx: Queryable,
  id: string,
  amount: Amount,
  ctx: ActionContext,
): Promise<TransferRow> {
  const { rows } = await tx.query<TransferRow>(
    `UPDATE balance_transfers SET released_at = $2, released_amount = $3::numeric, released_by = $4
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, ctx.now, amount.toString(), ctx.staff.id],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('balance transfer vanished under its lock');
  return row;
}
