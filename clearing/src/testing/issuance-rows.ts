import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withTransaction, type Queryable } from '@citycard/core/db';

export interface TestCashMovement {
  readonly kind:
    | 'deposit_taken'
    | 'deposit_refunded'
    | 'top_up_cash'
    | 'balance_refunded'
    | 'float'
    | 'correction';
  /** Signed as the drawer sees it: positive in, negative out. */
  readonly amount: string;
  readonly at: Date;
  readonly referenceType?: string;
  /** An open drawer from an earlier call; a fresh branch, clerk and drawer when absent. */
  readonly drawerId?: string;
}

async function openDrawer(
  db: Queryable,
  at: Date,
): Promise<{ drawerId: string; branchId: string }> {
  const tag = randomBytes(4).toString('hex').toUpperCase();
  const { rows } = await db.query<{ drawer_id: string; branch_id: string }>(
    `WITH b AS (
       INSERT INTO issuance.branches (code, name) VALUES ($1, 'Branch ' || $1) RETURNING id
     ), c AS (
       INSERT INTO issuance.counters (branch_id, code, name) SELECT id, 'C1', 'Counter 1' FROM b
       RETURNING id, branch_id
     ), s AS (
       INSERT INTO issuance.staff (username, display_name, password_hash, roles, branch_id)
       SELECT 'clerk-' || lower($1), 'Clerk', 'scrypt$test', ARRAY['clerk'], id FROM b
       RETURNING id
     )
     INSERT INTO issuance.drawers (staff_id, counter_id, branch_id, opened_at, opening_float)
     SELECT s.id, c.id, c.branch_id, $2, 0 FROM s, c
     RETURNING id AS drawer_id, branch_id`,
    [tag, at],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('drawer not opened');
  return { drawerId: row.drawer_id, branchId: row.branch_id };
}

/**
 * One counter cash movement, as issuance records it (in a fresh drawer unless one is given).
 * Issuance's triggers name their tables unqualified, so the writes run with issuance on the path.
 */
export async function addCashMovement(
  pool: pg.Pool,
  m: TestCashMovement,
): Promise<{ movementId: string; drawerId: string }> {
  return withTransaction(pool, async (tx) => {
    await tx.query('SET LOCAL search_path TO issuance, public');
    return insertCashMovement(tx, m);
  });
}

async function insertCashMovement(
  db: Queryable,
  m: TestCashMovement,
): Promise<{ movementId: string; drawerId: string }> {
  const drawerId = m.drawerId ?? (await openDrawer(db, m.at)).drawerId;
  const movementId = randomUUID();
  await db.query(
    `INSERT INTO issuance.cash_movements (id, drawer_id, seq, kind, amount, reference_type,
       reference_id, staff_id, request_id, at)
     SELECT $1, d.id,
            (SELECT COALESCE(max(seq), 0) + 1 FROM issuance.cash_movements WHERE drawer_id = d.id),
            $3, $4, $5, $6, d.staff_id, 'test', $7
       FROM issuance.drawers d WHERE d.id = $2`,
    [movementId, drawerId, m.kind, m.amount, m.referenceType ?? 'test', randomUUID(), m.at],
  );
  return { movementId, drawerId };
}
