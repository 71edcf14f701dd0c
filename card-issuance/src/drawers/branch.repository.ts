import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';

export interface BranchRow {
  id: string;
  code: string;
  name: string;
  address: string | null;
  created_at: Date;
  closed_at: Date | null;
}

export interface CounterRow {
  id: string;
  branch_id: string;
  code: string;
  name: string;
  active: boolean;
  created_at: Date;
}

/** A counter with what a drawer needs to know about its branch. */
export interface CounterPlace extends CounterRow {
  branch_closed_at: Date | null;
}

const BRANCH_COLUMNS = 'id, code, name, address, created_at, closed_at';
const COUNTER_COLUMNS = 'id, branch_id, code, name, active, created_at';

/** undefined when the code is taken: ON CONFLICT keeps the transaction usable for the answer. */
export async function insertBranch(
  tx: Queryable,
  input: { code: string; name: string; address: string | null },
): Promise<BranchRow | undefined> {
  const { rows } = await tx.query<BranchRow>(
    `INSERT INTO issuance.branches (code, name, address) VALUES ($1, $2, $3)
     ON CONFLICT (code) DO NOTHING RETURNING ${BRANCH_COLUMNS}`,
    [input.code, input.name, input.address],
  );
  return rows[0];
}

export async function selectBranches(db: Queryable, includeClosed: boolean): Promise<BranchRow[]> {
  const { rows } = await db.query<BranchRow>(
    `SELECT ${BRANCH_COLUMNS} FROM issuance.branches
     WHERE $1 OR closed_at IS NULL ORDER BY code`,
    [includeClosed],
  );
  return rows;
}

/**
 * The branch row, locked: FOR SHARE by work that needs the branch to stay open (a new counter,
 * a new drawer), FOR UPDATE by closing it, so the two never cross.
 */
export async function lockBranch(
  tx: Queryable,
  id: string,
  mode: 'share' | 'update',
): Promise<BranchRow> {
  const { rows } = await tx.query<BranchRow>(
    `SELECT ${BRANCH_COLUMNS} FROM issuance.branches WHERE id = $1
     FOR ${mode === 'share' ? 'SHARE' : 'UPDATE'}`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) throw new AppError('BRANCH_NOT_FOUND', { details: { branchId: id } });
  return row;
}

export async function requireBranch(db: Queryable, id: string): Promise<BranchRow> {
  const { rows } = await db.query<BranchRow>(
    `SELECT ${BRANCH_COLUMNS} FROM issuance.branches WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) throw new AppError('BRANCH_NOT_FOUND', { details: { branchId: id } });
  return row;
}

export async function markBranchClosed(tx: Queryable, id: string): Promise<BranchRow> {
  const { rows } = await tx.query<BranchRow>(
    `UPDATE issuance.branches SET closed_at = now() WHERE id = $1 RETURNING ${BRANCH_COLUMNS}`,
    [id],
  );
  return rows[0] as BranchRow;
}

export async function countOpenDrawersAt(tx: Queryable, branchId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM issuance.drawers WHERE branch_id = $1 AND closed_at IS NULL`,
    [branchId],
  );
  return rows[0]?.n ?? 0;
}

export async function insertCounter(
  tx: Queryable,
  input: { branchId: string; code: string; name: string },
): Promise<CounterRow | undefined> {
  const { rows } = await tx.query<CounterRow>(
    `INSERT INTO issuance.counters (branch_id, code, name) VALUES ($1, $2, $3)
     ON CONFLICT (branch_id, code) DO NOTHING RETURNING ${COUNTER_COLUMNS}`,
    [input.branchId, input.code, input.name],
  );
  return rows[0];
}

export async function selectCounters(db: Queryable, branchId: string): Promise<CounterRow[]> {
  const { rows } = await db.query<CounterRow>(
    `SELECT ${COUNTER_COLUMNS} FROM issuance.counters WHERE branch_id = $1 ORDER BY code`,
    [branchId],
  );
  return rows;
}

export async function lockCounter(tx: Queryable, id: string): Promise<CounterRow> {
  const { rows } = await tx.query<CounterRow>(
    `SELECT ${COUNTER_COLUMNS} FROM issuance.counters WHERE id = $1 FOR UPDATE`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) throw new AppError('COUNTER_NOT_FOUND', { details: { counterId: id } });
  return row;
}

export async function updateCounterRow(
  tx: Queryable,
  id: string,
  change: { active: boolean; name: string },
): Promise<CounterRow> {
  const { rows } = await tx.query<CounterRow>(
    `UPDATE issuance.counters SET active = $2, name = $3 WHERE id = $1
     RETURNING ${COUNTER_COLUMNS}`,
    [id, change.active, change.name],
  );
  return rows[0] as CounterRow;
}

/**
 * The counter a drawer is about to open at, with its branch; both rows are share-locked so that
 * neither can be closed or taken out of service while the drawer opens.
 */
export async function lockCounterPlace(tx: Queryable, counterId: string): Promise<CounterPlace> {
  const { rows } = await tx.query<CounterPlace>(
    `SELECT c.id, c.branch_id, c.code, c.name, c.active, c.created_at,
            b.closed_at AS branch_closed_at
     FROM issuance.counters c JOIN issuance.branches b ON b.id = c.branch_id
     WHERE c.id = $1 FOR SHARE OF c, b`,
    [counterId],
  );
  const row = rows[0];
  if (row === undefined) throw new AppError('COUNTER_NOT_FOUND', { details: { counterId } });
  return row;
}
