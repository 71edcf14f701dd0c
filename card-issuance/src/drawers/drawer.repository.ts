import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { CashKind } from './cash.js';

export interface DrawerRow {
  id: string;
  staff_id: string;
  counter_id: string;
  branch_id: string;
  opened_at: Date;
  opening_float: string;
  closed_at: Date | null;
  counted_cash: string | null;
  expected_cash: string | null;
  difference: string | null;
  closed_by: string | null;
  closing_seq: number | null;
  note: string | null;
}

/** A drawer with the sums of its movements, as lists and views show it. */
export interface DrawerTotalsRow extends DrawerRow {
  /** Sum of every movement; null when there are none. */
  movements_total: string | null;
  /** Sum of the corrections recorded after the close; null when there are none. */
  after_close_total: string | null;
  movement_count: number;
}

export interface MovementRow {
  id: string;
  drawer_id: string;
  seq: number;
  kind: CashKind;
  amount: string;
  reference_type: string;
  reference_id: string;
  staff_id: string;
  request_id: string;
  note: string | null;
  at: Date;
}

export interface NewMovement {
  drawerId: string;
  seq: number;
  kind: CashKind;
  amount: string;
  referenceType: string;
  referenceId: string;
  staffId: string;
  requestId: string;
  note: string | null;
}

const drawerColumns = [
  'id',
  'staff_id',
  'counter_id',
  'branch_id',
  'opened_at',
  'opening_float',
  'closed_at',
  'counted_cash',
  'expected_cash',
  'difference',
  'closed_by',
  'closing_seq',
  'note',
] as const;
const DRAWER_COLUMNS = drawerColumns.join(', ');
const D_COLUMNS = drawerColumns.map((c) => `d.${c}`).join(', ');
const MOVEMENT_COLUMNS = `id, drawer_id, seq, kind, amount, reference_type, reference_id,
  staff_id, request_id, note, at`;

/** Every change to a drawer or its movements starts here: one writer per drawer at a time. */
export async function lockDrawer(tx: Queryable, id: string): Promise<DrawerRow> {
  const { rows } = await tx.query<DrawerRow>(
    `SELECT ${DRAWER_COLUMNS} FROM issuance.drawers WHERE id = $1 FOR UPDATE`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) throw new AppError('DRAWER_NOT_FOUND', { details: { drawerId: id } });
  return row;
}

export async function findOpenDrawer(
  tx: Queryable,
  by: { staffId: string } | { counterId: string },
  lock = false,
): Promise<DrawerRow | undefined> {
  const [column, value] = 'staffId' in by ? ['staff_id', by.staffId] : ['counter_id', by.counterId];
  const { rows } = await tx.query<DrawerRow>(
    `SELECT ${DRAWER_COLUMNS} FROM issuance.drawers
     WHERE ${column} = $1 AND closed_at IS NULL ${lock ? 'FOR UPDATE' : ''}`,
    [value],
  );
  return rows[0];
}

const OPEN_UNIQUE_CODES: Readonly<Record<string, 'DRAWER_ALREADY_OPEN' | 'COUNTER_BUSY'>> = {
  drawers_one_open_per_staff: 'DRAWER_ALREADY_OPEN',
  drawers_one_open_per_counter: 'COUNTER_BUSY',
};

export async function insertDrawer(
  tx: Queryable,
  input: { staffId: string; counterId: string; branchId: string; openingFloat: string },
): Promise<DrawerRow> {
  try {
    const { rows } = await tx.query<DrawerRow>(
      `INSERT INTO issuance.drawers (staff_id, counter_id, branch_id, opening_float)
       VALUES ($1, $2, $3, $4) RETURNING ${DRAWER_COLUMNS}`,
      [input.staffId, input.counterId, input.branchId, input.openingFloat],
    );
    return rows[0] as DrawerRow;
  } catch (err) {
    // Two opens racing past the checks: the partial unique indexes decide, and say which.
    const { code, constraint } = err as { code?: string; constraint?: string };
    const mapped =
      code === '23505' && constraint !== undefined && Object.hasOwn(OPEN_UNIQUE_CODES, constraint)
        ? OPEN_UNIQUE_CODES[constraint]
        : undefined;
    if (mapped !== undefined) throw new AppError(mapped, { cause: err });
    throw err;
  }
}

export async function movementTotals(
  tx: Queryable,
  drawerId: string,
): Promise<{ total: string | null; lastSeq: number }> {
  const { rows } = await tx.query<{ total: string | null; last_seq: number }>(
    `SELECT sum(amount) AS total, coalesce(max(seq), 0) AS last_seq
     FROM issuance.cash_movements WHERE drawer_id = $1`,
    [drawerId],
  );
  return { total: rows[0]?.total ?? null, lastSeq: rows[0]?.last_seq ?? 0 };
}

export async function insertMovement(tx: Queryable, m: NewMovement): Promise<MovementRow> {
  const { rows } = await tx.query<MovementRow>(
    `INSERT INTO issuance.cash_movements
       (drawer_id, seq, kind, amount, reference_type, reference_id, staff_id, request_id, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${MOVEMENT_COLUMNS}`,
    [
      m.drawerId,
      m.seq,
      m.kind,
      m.amount,
      m.referenceType,
      m.referenceId,
      m.staffId,
      m.requestId,
      m.note,
    ],
  );
  return rows[0] as MovementRow;
}

export async function selectMovements(db: Queryable, drawerId: string): Promise<MovementRow[]> {
  const { rows } = await db.query<MovementRow>(
    `SELECT ${MOVEMENT_COLUMNS} FROM issuance.cash_movements WHERE drawer_id = $1 ORDER BY seq`,
    [drawerId],
  );
  return rows;
}

export async function findMovement(
  db: Queryable,
  drawerId: string,
  id: string,
): Promise<MovementRow | undefined> {
  const { rows } = await db.query<MovementRow>(
    `SELECT ${MOVEMENT_COLUMNS} FROM issuance.cash_movements WHERE drawer_id = $1 AND id = $2`,
    [drawerId, id],
  );
  return rows[0];
}

export interface CloseValues {
  countedCash: string;
  expectedCash: string;
  difference: string;
  closedBy: string;
  closingSeq: number;
  note: string | null;
}

export async function markDrawerClosed(
  tx: Queryable,
  id: string,
  v: CloseValues,
): Promise<DrawerRow> {
  const { rows } = await tx.query<DrawerRow>(
    `UPDATE issuance.drawers
     SET closed_at = now(), counted_cash = $2, expected_cash = $3, difference = $4,
         closed_by = $5, closing_seq = $6, note = $7
     WHERE id = $1 AND closed_at IS NULL RETURNING ${DRAWER_COLUMNS}`,
    [id, v.countedCash, v.expectedCash, v.difference, v.closedBy, v.closingSeq, v.note],
  );
  const row = rows[0];
  if (row === undefined) throw new AppError('DRAWER_CLOSED', { details: { drawerId: id } });
  return row;
}

export interface DrawerFilter {
  ids?: readonly string[] | undefined;
  branchId?: string | null | undefined;
  staffId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  state?: 'open' | 'closed' | undefined;
  limit: number;
}

/** Drawers opened in [from, to), newest first, each with the sums of its movements. */
export async function selectDrawers(db: Queryable, f: DrawerFilter): Promise<DrawerTotalsRow[]> {
  const { rows } = await db.query<DrawerTotalsRow>(
    `SELECT ${D_COLUMNS},
            m.total AS movements_total, m.after_close AS after_close_total,
            coalesce(m.n, 0) AS movement_count
     FROM issuance.drawers d
     LEFT JOIN LATERAL (
       SELECT sum(amount) AS total, count(*)::int AS n,
              sum(amount) FILTER (WHERE seq > d.closing_seq) AS after_close
       FROM issuance.cash_movements WHERE drawer_id = d.id
     ) m ON true
     WHERE ($1::uuid[] IS NULL OR d.id = ANY($1))
       AND ($2::uuid IS NULL OR d.branch_id = $2)
       AND ($3::uuid IS NULL OR d.staff_id = $3)
       AND ($4::timestamptz IS NULL OR d.opened_at >= $4)
       AND ($5::timestamptz IS NULL OR d.opened_at < $5)
       AND ($6::text IS NULL OR ($6 = 'open') = (d.closed_at IS NULL))
     ORDER BY d.opened_at DESC, d.id
     LIMIT $7`,
    [
      f.ids ?? null,
      f.branchId ?? null,
      f.staffId ?? null,
      f.from ?? null,
      f.to ?? null,
      f.state ?? null,
      f.limit,
    ],
  );
  return rows;
}
