import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { parseAmount } from '@citycard/core/money';
import type { RunStatus } from '../run/run.types.js';
import type { PaymentFile, PaymentLine } from './bank-file.js';
import type { MatchLine } from './bank-confirmation.js';

/** Which run a settlement command is about: by id, or the day's live run. */
export type RunRef = { readonly runId: string } | { readonly day: string };

export interface RunHead {
  readonly id: string;
  readonly day: string;
  readonly status: RunStatus;
  readonly startedBy: string;
  readonly outputHash: string;
}

interface RunHeadRow {
  id: string;
  day: string;
  status: RunStatus;
  started_by: string;
  output_hash: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The run a command is about, locked for the rest of the transaction. By day: the one run of the
 * day that counts, or else the latest run of the day (an aborted one) so the answer can say why.
 */
export async function lockRun(tx: Queryable, ref: RunRef, lock = true): Promise<RunHead> {
  if ('runId' in ref && !UUID.test(ref.runId)) throw new AppError('CLEARING_RUN_NOT_FOUND');
  const where =
    'runId' in ref
      ? 'id = $1'
      : `business_day = $1::date ORDER BY (status NOT IN ('aborted', 'superseded')) DESC,
         started_at DESC LIMIT 1`;
  const { rows } = await tx.query<RunHeadRow>(
    `SELECT id, to_char(business_day, 'YYYY-MM-DD') AS day, status, started_by, output_hash
       FROM clearing.runs WHERE ${where} ${lock ? 'FOR UPDATE' : ''}`,
    ['runId' in ref ? ref.runId : ref.day],
  );
  const row = rows[0];
  if (row === undefined) {
    throw new AppError('CLEARING_RUN_NOT_FOUND', { details: 'day' in ref ? { day: ref.day } : {} });
  }
  return {
    id: row.id,
    day: row.day,
    status: row.status,
    startedBy: row.started_by,
    outputHash: row.output_hash,
  };
}

export async function setRunStatus(
  tx: Queryable,
  runId: string,
  status: RunStatus,
  now: Date,
): Promise<void> {
  await tx.query('UPDATE clearing.runs SET status = $2, status_changed_at = $3 WHERE id = $1', [
    runId,
    status,
    now,
  ]);
}

export interface Payee {
  readonly operatorId: string;
  readonly net: string;
  readonly account: string | null;
}

/** Operators with something to pay or collect, and the bank account on record for each. */
export async function payees(tx: Queryable, runId: string): Promise<Payee[]> {
  const { rows } = await tx.query<{ operator_id: string; net: string; account: string | null }>(
    `SELECT l.operator_id, l.net::text AS net, p.bank_account_number AS account
       FROM clearing.run_lines l
       LEFT JOIN clearing.parties p ON p.party_id = l.operator_id
      WHERE l.run_id = $1 AND l.net <> 0
      ORDER BY l.operator_id`,
    [runId],
  );
  return rows.map((r) => ({ operatorId: r.operator_id, net: r.net, account: r.account }));
}

export interface StoredFile {
  readonly file: PaymentFile;
  readonly content: string;
  readonly sha256: string;
  readonly createdBy: string;
  readonly createdAt: Date;
}

export async function insertPaymentFile(
  tx: Queryable,
  runId: string,
  stored: StoredFile,
): Promise<void> {
  const { file } = stored;
  await tx.query(
    `INSERT INTO clearing.payment_files
       (id, run_id, business_day, line_count, total, content, content_sha256, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      file.fileId,
      runId,
      file.day,
      file.count,
      file.total.toString(),
      stored.content,
      stored.sha256,
      stored.createdBy,
      stored.createdAt,
    ],
  );
  await tx.query(
    `INSERT INTO clearing.payment_lines (file_id, line_no, operator_id, account, amount, reference)
     SELECT $1, n, o, a, m, r
       FROM unnest($2::text[], $3::text[], $4::numeric[], $5::text[]) WITH ORDINALITY AS t(o, a, m, r, n)`,
    [
      file.fileId,
      file.lines.map((l) => l.operatorId),
      file.lines.map((l) => l.account),
      file.lines.map((l) => l.amount.toString()),
      file.lines.map((l) => l.reference),
    ],
  );
}

interface FileRow {
  id: string;
  day: string;
  line_count: number;
  total: string;
  content: string;
  content_sha256: string;
  created_by: string;
  created_at: Date;
}

export async function findPaymentFile(db: Queryable, runId: string): Promise<StoredFile | null> {
  const { rows } = await db.query<FileRow>(
    `SELECT id, to_char(business_day, 'YYYY-MM-DD') AS day, line_count, total::text AS total,
            content, content_sha256, created_by, created_at
       FROM clearing.payment_files WHERE run_id = $1`,
    [runId],
  );
  const row = rows[0];
  if (row === undefined) return null;
  const lines = await db.query<{
    operator_id: string;
    account: string;
    amount: string;
    reference: string;
  }>(
    `SELECT operator_id, account, amount::text AS amount, reference
       FROM clearing.payment_lines WHERE file_id = $1 ORDER BY line_no`,
    [row.id],
  );
  const paymentLines: PaymentLine[] = lines.rows.map((l) => ({
    operatorId: l.operator_id,
    account: l.account,
    amount: parseAmount(l.amount, { allowNegative: true }),
    reference: l.reference,
  }));
  return {
    file: {
      fileId: row.id,
      day: row.day,
      lines: paymentLines,
      count: row.line_count,
      total: parseAmount(row.total, { allowNegative: true }),
    },
    content: row.content,
    sha256: row.content_sha256,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export interface ConfirmationRecord {
  readonly id: string;
  readonly fileId: string;
  readonly bankConfirmationId: string;
  readonly valueDate: string;
  readonly sha256: string;
  readonly clean: boolean;
  readonly accepted: boolean;
  readonly importedBy: string;
  readonly importedAt: Date;
  readonly lines: readonly MatchLine[];
}

export async function insertConfirmation(tx: Queryable, c: ConfirmationRecord): Promise<void> {
  const count = (o: MatchLine['outcome']) => c.lines.filter((l) => l.outcome === o).length;
  await tx.query(
    `INSERT INTO clearing.bank_confirmations
       (id, file_id, bank_confirmation_id, value_date, content_sha256, clean, accepted, matched,
        differences, rejected, unmatched, missing, imported_by, imported_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      c.id,
      c.fileId,
      c.bankConfirmationId,
      c.valueDate,
      c.sha256,
      c.clean,
      c.accepted,
      count('matched'),
      count('difference'),
      count('rejected'),
      count('unmatched'),
      count('missing'),
      c.importedBy,
      c.importedAt,
    ],
  );
  await tx.query(
    `INSERT INTO clearing.confirmation_lines
       (confirmation_id, line_no, outcome, reference, operator_id, expected, confirmed, bank_reference)
     SELECT $1, n, o, r, op, e, cf, b
       FROM unnest($2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::text[])
            WITH ORDINALITY AS t(o, r, op, e, cf, b, n)`,
    [
      c.id,
      c.lines.map((l) => l.outcome),
      c.lines.map((l) => l.reference),
      c.lines.map((l) => l.operatorId),
      c.lines.map((l) => l.expected?.toString() ?? null),
      c.lines.map((l) => l.confirmed?.toString() ?? null),
      c.lines.map((l) => l.bankReference),
    ],
  );
}
