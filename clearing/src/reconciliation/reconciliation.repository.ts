import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { parseAmount } from '@citycard/core/money';
import type {
  ExceptionFilter,
  ExceptionKind,
  Reconciliation,
  ReconciliationException,
} from './reconciliation.types.js';

interface ReconciliationRow {
  id: string;
  day: string;
  run_id: string | null;
  started_at: Date;
  finished_at: Date;
  records_checked: string;
  batches_checked: string;
  drawers_checked: number;
  exception_count: number;
  by_kind: Partial<Record<ExceptionKind, number>>;
}

interface ExceptionRow {
  id: string;
  reconciliation_id: string;
  day: string;
  kind: ExceptionKind;
  explanation: string;
  card_number: string | null;
  terminal_id: string | null;
  sequence: string | null;
  batch_seq: string | null;
  operator_id: string | null;
  drawer_id: string | null;
  branch_id: string | null;
  purse_counter: string | null;
  amount: string | null;
  details: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

const RECONCILIATION_COLUMNS = `id, to_char(business_day, 'YYYY-MM-DD') AS day, run_id, started_at,
  finished_at, records_checked, batches_checked, drawers_checked, exception_count, by_kind`;

const toReconciliation = (r: ReconciliationRow): Reconciliation => ({
  id: r.id,
  day: r.day,
  runId: r.run_id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  recordsChecked: Number(r.records_checked),
  batchesChecked: Number(r.batches_checked),
  drawersChecked: r.drawers_checked,
  exceptionCount: r.exception_count,
  byKind: r.by_kind,
});

const toException = (r: ExceptionRow): ReconciliationException => ({
  id: r.id,
  reconciliationId: r.reconciliation_id,
  day: r.day,
  kind: r.kind,
  explanation: r.explanation,
  cardNumber: r.card_number,
  terminalId: r.terminal_id,
  sequence: r.sequence,
  batchSeq: r.batch_seq,
  operatorId: r.operator_id,
  drawerId: r.drawer_id,
  branchId: r.branch_id,
  purseCounter: r.purse_counter,
  amount: r.amount === null ? null : parseAmount(r.amount, { allowNegative: true }),
  details: r.details,
});

export async function getReconciliation(
  db: Queryable,
  id: string,
): Promise<Reconciliation | undefined> {
  if (!isUuid(id)) return undefined;
  const { rows } = await db.query<ReconciliationRow>(
    `SELECT ${RECONCILIATION_COLUMNS} FROM reconciliations WHERE id = $1::uuid`,
    [id],
  );
  return rows[0] === undefined ? undefined : toReconciliation(rows[0]);
}

/** Newest first; the first of a day is the one that stands. */
export async function listReconciliations(
  db: Queryable,
  filter: { day?: string; runId?: string; limit?: number } = {},
): Promise<Reconciliation[]> {
  if (filter.runId !== undefined && !isUuid(filter.runId)) return [];
  const { rows } = await db.query<ReconciliationRow>(
    `SELECT ${RECONCILIATION_COLUMNS} FROM reconciliations
      WHERE ($1::date IS NULL OR business_day = $1::date)
        AND ($2::uuid IS NULL OR run_id = $2::uuid)
      ORDER BY seq DESC
      LIMIT $3`,
    [filter.day ?? null, filter.runId ?? null, Math.min(Math.max(filter.limit ?? 50, 1), 500)],
  );
  return rows.map(toReconciliation);
}

export async function latestReconciliation(
  db: Queryable,
  day: string,
): Promise<Reconciliation | undefined> {
  return (await listReconciliations(db, { day, limit: 1 }))[0];
}

/**
 * One page of a reconciliation's exceptions in id order (`afterId` for the next page), of the
 * given reconciliation or else the latest one of `day`.
 */
export async function listExceptions(
  db: Queryable,
  filter: ExceptionFilter,
): Promise<ReconciliationException[]> {
  const recId =
    filter.reconciliationId ??
    (filter.day === undefined ? undefined : (await latestReconciliation(db, filter.day))?.id);
  if (recId === undefined || !isUuid(recId)) {
    throw new AppError('RECONCILIATION_NOT_FOUND', { details: { day: filter.day ?? null } });
  }
  const { rows } = await db.query<ExceptionRow>(
    `SELECT id, reconciliation_id, to_char(business_day, 'YYYY-MM-DD') AS day, kind, explanation,
            card_number, terminal_id, sequence, batch_seq, operator_id, drawer_id, branch_id,
            purse_counter, amount, details
       FROM reconciliation_exceptions
      WHERE reconciliation_id = $1::uuid
        AND ($2::text IS NULL OR kind = $2)
        AND ($3::text IS NULL OR card_number = $3)
        AND ($4::bigint IS NULL OR id > $4::bigint)
      ORDER BY id
      LIMIT $5`,
    [
      recId,
      filter.kind ?? null,
      filter.cardNumber ?? null,
      filter.afterId ?? null,
      Math.min(Math.max(filter.limit ?? 100, 1), 1000),
    ],
  );
  return rows.map(toException);
}
