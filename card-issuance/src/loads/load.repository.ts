import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';

export const LOAD_STATES = [
  'pending',
  'uncertain',
  'confirmed',
  'failed',
  'refunded',
  'review',
] as const;
export type LoadState = (typeof LOAD_STATES)[number];

/** States in which the card takes no other load: the money may still land, or is owed to it. */
export const OPEN_LOAD_STATES: readonly LoadState[] = ['pending', 'uncertain', 'failed'];

export type LoadCause =
  'ordered' | 'read_back' | 'report' | 'next_read' | 'expired' | 'retry' | 'refund' | 'supervisor';

export interface LoadRow {
  readonly id: string;
  readonly cardId: string;
  /** numeric(18,2) as text */
  readonly amount: string;
  readonly state: LoadState;
  /** The drawer that took the cash; null for a balance transfer written onto the card. */
  readonly drawerId: string | null;
  /** The released balance transfer this load writes onto the card; null for a top-up. */
  readonly transferId: string | null;
  readonly staffId: string;
  readonly counterId: string | null;
  /** YYYY-MM-DD, Shanghai calendar */
  readonly businessDay: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

export interface LoadEventRow {
  readonly seq: number;
  readonly fromState: LoadState | null;
  readonly toState: LoadState;
  readonly cause: LoadCause;
  readonly planId: string | null;
  readonly staffId: string | null;
  readonly note: string | null;
  readonly at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const LOAD_COLUMNS = `l.id, l.card_id AS "cardId", l.amount::text AS amount, l.state,
  l.drawer_id AS "drawerId", l.transfer_id AS "transferId", l.staff_id AS "staffId",
  l.counter_id AS "counterId",
  l.business_day::text AS "businessDay", l.created_at AS "createdAt",
  l.updated_at AS "updatedAt", l.version`;

export function loadNotFound(id: string): AppError {
  return new AppError('LOAD_NOT_FOUND', { details: { loadId: id } });
}

export interface NewLoad {
  readonly id: string;
  readonly cardId: string;
  readonly amount: string;
  readonly drawerId: string | null;
  readonly transferId?: string | null;
  readonly staffId: string;
  readonly counterId: string | null;
  readonly requestId: string;
  readonly now: Date;
}

export async function insertLoad(tx: Queryable, load: NewLoad): Promise<LoadRow> {
  const { rows } = await tx.query<LoadRow>(
    `INSERT INTO loads AS l (id, card_id, amount, state, drawer_id, staff_id, counter_id,
       business_day, created_at, updated_at, request_id, transfer_id)
     VALUES ($1, $2, $3::numeric, 'pending', $4, $5, $6,
       ($7::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, $7, $7, $8, $9)
     RETURNING ${LOAD_COLUMNS}`,
    [
      load.id,
      load.cardId,
      load.amount,
      load.drawerId,
      load.staffId,
      load.counterId,
      load.now,
      load.requestId,
      load.transferId ?? null,
    ],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('loads insert returned no row');
  return row;
}

export async function findLoad(
  tx: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<LoadRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const lock = options.forUpdate === true ? ' FOR UPDATE' : '';
  const { rows } = await tx.query<LoadRow>(
    `SELECT ${LOAD_COLUMNS} FROM loads l WHERE l.id = $1${lock}`,
    [id],
  );
  return rows[0];
}

export async function requireLoad(
  tx: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<LoadRow> {
  const load = await findLoad(tx, id, options);
  if (load === undefined) throw loadNotFound(id);
  return load;
}

/** The card's loads in the given states, oldest first; locked when asked. */
export async function loadsOfCard(
  tx: Queryable,
  cardId: string,
  states: readonly LoadState[] | null,
  options: { forUpdate?: boolean; limit?: number } = {},
): Promise<LoadRow[]> {
  const lock = options.forUpdate === true ? ' FOR UPDATE' : '';
  const { rows } = await tx.query<LoadRow>(
    `SELECT ${LOAD_COLUMNS} FROM loads l
     WHERE l.card_id = $1 AND ($2::text[] IS NULL OR l.state = ANY($2::text[]))
     ORDER BY l.created_at, l.id LIMIT $3${lock}`,
    [cardId, states === null ? null : [...states], options.limit ?? 200],
  );
  return rows;
}

/**
 * What the card was loaded with on a Shanghai calendar day, counting all but refunded loads. A
 * balance transfer is the holder's own money coming back, not a top-up: it does not count.
 */
export async function loadedOnDay(tx: Queryable, cardId: string, now: Date): Promise<string> {
  const { rows } = await tx.query<{ total: string }>(
    `SELECT COALESCE(sum(amount), 0)::numeric(18,2)::text AS total FROM loads
     WHERE card_id = $1 AND state <> 'refunded' AND transfer_id IS NULL
       AND business_day = ($2::timestamptz AT TIME ZONE 'Asia/Shanghai')::date`,
    [cardId, now],
  );
  return rows[0]?.total ?? '0.00';
}

export async function setLoadState(
  tx: Queryable,
  id: string,
  state: LoadState,
  now: Date,
): Promise<LoadRow> {
  const { rows } = await tx.query<LoadRow>(
    `UPDATE loads l SET state = $2, updated_at = $3, version = l.version + 1 WHERE l.id = $1
     RETURNING ${LOAD_COLUMNS}`,
    [id, state, now],
  );
  const row = rows[0];
  if (row === undefined) throw loadNotFound(id);
  return row;
}

export interface NewLoadEvent {
  readonly fromState: LoadState | null;
  readonly toState: LoadState;
  readonly cause: LoadCause;
  readonly planId: string | null;
  readonly staffId: string | null;
  readonly note: string | null;
  readonly requestId: string;
  readonly at: Date;
}

/** The caller holds the load's row lock, so the next seq is safe to compute here. */
export async function insertLoadEvent(
  tx: Queryable,
  loadId: string,
  e: NewLoadEvent,
): Promise<void> {
  await tx.query(
    `INSERT INTO load_events (load_id, seq, from_state, to_state, cause, plan_id, staff_id, note,
       request_id, at)
     SELECT $1, COALESCE(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9
     FROM load_events WHERE load_id = $1`,
    [loadId, e.fromState, e.toState, e.cause, e.planId, e.staffId, e.note, e.requestId, e.at],
  );
}

export async function listLoadEvents(tx: Queryable, loadId: string): Promise<LoadEventRow[]> {
  const { rows } = await tx.query<LoadEventRow>(
    `SELECT seq, from_state AS "fromState", to_state AS "toState", cause, plan_id AS "planId",
       staff_id AS "staffId", note, at
     FROM load_events WHERE load_id = $1 ORDER BY seq`,
    [loadId],
  );
  return rows;
}
