import type { Queryable } from '@citycard/core/db';
import { parseAmount } from '@citycard/core/money';
import type { MatchLine, MatchOutcome } from './bank-confirmation.js';
import type { ConfirmationRecord } from './settlement.repository.js';

interface ConfirmationRow {
  id: string;
  file_id: string;
  bank_confirmation_id: string;
  value_date: string;
  content_sha256: string;
  clean: boolean;
  accepted: boolean;
  imported_by: string;
  imported_at: Date;
}

interface LineRow {
  confirmation_id: string;
  outcome: MatchOutcome;
  reference: string;
  operator_id: string | null;
  expected: string | null;
  confirmed: string | null;
  bank_reference: string | null;
}

const amountOrNull = (s: string | null) =>
  s === null ? null : parseAmount(s, { allowNegative: true });

function toLine(r: LineRow): MatchLine {
  return {
    outcome: r.outcome,
    reference: r.reference,
    operatorId: r.operator_id,
    expected: amountOrNull(r.expected),
    confirmed: amountOrNull(r.confirmed),
    bankReference: r.bank_reference,
  };
}

async function load(
  db: Queryable,
  where: string,
  params: unknown[],
): Promise<ConfirmationRecord[]> {
  const { rows } = await db.query<ConfirmationRow>(
    `SELECT c.id, c.file_id, c.bank_confirmation_id, c.value_date, c.content_sha256, c.clean,
            c.accepted, c.imported_by, c.imported_at
       FROM clearing.bank_confirmations c
       JOIN clearing.payment_files f ON f.id = c.file_id
      WHERE ${where} ORDER BY c.imported_at, c.id`,
    params,
  );
  if (rows.length === 0) return [];
  const lines = await db.query<LineRow>(
    `SELECT confirmation_id, outcome, reference, operator_id, expected::text AS expected,
            confirmed::text AS confirmed, bank_reference
       FROM clearing.confirmation_lines WHERE confirmation_id = ANY($1::uuid[])
      ORDER BY confirmation_id, line_no`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id,
    fileId: r.file_id,
    bankConfirmationId: r.bank_confirmation_id,
    valueDate: r.value_date,
    sha256: r.content_sha256,
    clean: r.clean,
    accepted: r.accepted,
    importedBy: r.imported_by,
    importedAt: r.imported_at,
    lines: lines.rows.filter((l) => l.confirmation_id === r.id).map(toLine),
  }));
}

export function confirmationsOfRun(db: Queryable, runId: string): Promise<ConfirmationRecord[]> {
  return load(db, 'f.run_id = $1', [runId]);
}

/** The same bytes imported before with the same decision: the import is not repeated. */
export async function findImport(
  db: Queryable,
  fileId: string,
  sha256: string,
  accepted: boolean,
): Promise<ConfirmationRecord | undefined> {
  const found = await load(db, 'c.file_id = $1 AND c.content_sha256 = $2 AND c.accepted = $3', [
    fileId,
    sha256,
    accepted,
  ]);
  return found[0];
}
