import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';

export type CorrectionState = 'requested' | 'approved' | 'rejected';

export interface CorrectionRow {
  readonly id: string;
  readonly cardId: string;
  readonly readPlanId: string;
  /** numeric(18,2) as text */
  readonly cardBalance: string;
  readonly purseCounter: number;
  readonly shadowBalance: string;
  /** Signed: cardBalance − shadowBalance. */
  readonly amount: string;
  readonly reason: string;
  readonly state: CorrectionState;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly decisionNote: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = `id, card_id AS "cardId", read_plan_id AS "readPlanId",
  card_balance::text AS "cardBalance", purse_counter::float8 AS "purseCounter",
  shadow_balance::text AS "shadowBalance", amount::text AS amount, reason, state,
  requested_by AS "requestedBy", requested_at AS "requestedAt", decided_by AS "decidedBy",
  decided_at AS "decidedAt", decision_note AS "decisionNote"`;

export type NewCorrection = Omit<
  CorrectionRow,
  'state' | 'decidedBy' | 'decidedAt' | 'decisionNote'
> & { readonly requestId: string };

export async function insertCorrection(tx: Queryable, c: NewCorrection): Promise<CorrectionRow> {
  const { rows } = await tx.query<CorrectionRow>(
    `INSERT INTO balance_corrections (id, card_id, read_plan_id, card_balance, purse_counter,
       shadow_balance, amount, reason, state, requested_by, requested_at, request_id)
     VALUES ($1, $2, $3, $4::numeric, $5, $6::numeric, $7::numeric, $8, 'requested', $9, $10, $11)
     RETURNING ${COLUMNS}`,
    [
      c.id,
      c.cardId,
      c.readPlanId,
      c.cardBalance,
      c.purseCounter,
      c.shadowBalance,
      c.amount,
      c.reason,
      c.requestedBy,
      c.requestedAt,
      c.requestId,
    ],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('balance_corrections insert returned no row');
  return row;
}

export async function requireCorrection(
  tx: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<CorrectionRow> {
  const lock = options.forUpdate === true ? ' FOR UPDATE' : '';
  const { rows } = UUID.test(id)
    ? await tx.query<CorrectionRow>(
        `SELECT ${COLUMNS} FROM balance_corrections WHERE id = $1${lock}`,
        [id],
      )
    : { rows: [] };
  const row = rows[0];
  if (row === undefined) {
    throw new AppError('BALANCE_CORRECTION_NOT_FOUND', { details: { correctionId: id } });
  }
  return row;
}

export async function openCorrectionOf(
  tx: Queryable,
  cardId: string,
): Promise<CorrectionRow | undefined> {
  const { rows } = await tx.query<CorrectionRow>(
    `SELECT ${COLUMNS} FROM balance_corrections WHERE card_id = $1 AND state = 'requested'`,
    [cardId],
  );
  return rows[0];
}

export async function correctionsOfCard(tx: Queryable, cardId: string): Promise<CorrectionRow[]> {
  const { rows } = await tx.query<CorrectionRow>(
    `SELECT ${COLUMNS} FROM balance_corrections WHERE card_id = $1 ORDER BY requested_at, id`,
    [cardId],
  );
  return rows;
}

export async function decideCorrection(
  tx: Queryable,
  id: string,
  decision: { state: 'approved' | 'rejected'; by: string; at: Date; note: string | null },
): Promise<CorrectionRow> {
  const { rows } = await tx.query<CorrectionRow>(
    `UPDATE balance_corrections SET state = $2, decided_by = $3, decided_at = $4,
       decision_note = $5
     WHERE id = $1 AND state = 'requested'
     RETURNING ${COLUMNS}`,
    [id, decision.state, decision.by, decision.at, decision.note],
  );
  const row = rows[0];
  if (row === undefined) throw new AppError('BALANCE_CORRECTION_NOT_PENDING', { details: { id } });
  return row;
}

/**
 * Appends the correction to the card's shadow balance. The caller holds the card's row lock (as
 * postShadowEntry's callers do), so the next seq and the balance it builds on are stable.
 */
export async function insertCorrectionEntry(
  tx: Queryable,
  entry: { cardId: string; amount: string; reference: string; at: Date },
): Promise<{ balanceAfter: string }> {
  const { rows } = await tx.query<{ balanceAfter: string }>(
    `INSERT INTO shadow_balance_entries (card_id, seq, kind, amount, balance_after, reference, at)
     SELECT $1, b.last_seq + 1, 'correction', $2::numeric, b.balance + $2::numeric, $3, $4
     FROM shadow_balances b WHERE b.card_id = $1
     RETURNING balance_after::text AS "balanceAfter"`,
    [entry.cardId, entry.amount, entry.reference, entry.at],
  );
  const row = rows[0];
  if (row === undefined)
    throw new AppError('CARD_NOT_FOUND', { details: { cardId: entry.cardId } });
  return row;
}
