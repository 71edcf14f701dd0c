import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { DocumentType } from './document.js';

export type CardholderSex = 'M' | 'F' | 'X';

/** A cardholders row as stored: the identity number only sealed, indexed and masked. */
export interface CardholderRow {
  readonly id: string;
  readonly name: string;
  readonly documentType: DocumentType;
  readonly documentCountry: string | null;
  readonly documentLabel: string | null;
  readonly idNumberSealed: string;
  readonly idNumberIndex: string;
  readonly idNumberMasked: string;
  /** YYYY-MM-DD */
  readonly dateOfBirth: string;
  readonly sex: CardholderSex | null;
  readonly phone: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

/** The fields a change may set; the id, timestamps and version are the repository's. */
export type CardholderFields = Omit<CardholderRow, 'id' | 'createdAt' | 'updatedAt' | 'version'>;

export interface HistoryRow {
  readonly version: number;
  readonly changedAt: Date;
  readonly changedBy: string;
  readonly changedFields: string[];
  readonly reason: string | null;
  readonly previousSealed: string | null;
  readonly requestId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// date_of_birth goes out as text: pg would turn a date into a JS Date at local midnight.
const COLUMNS = `h.id, h.name, h.document_type AS "documentType", h.document_country AS "documentCountry",
  h.document_label AS "documentLabel", h.id_number_sealed AS "idNumberSealed",
  h.id_number_index AS "idNumberIndex", h.id_number_masked AS "idNumberMasked",
  h.date_of_birth::text AS "dateOfBirth", h.sex, h.phone, h.created_at AS "createdAt",
  h.updated_at AS "updatedAt", h.version`;

/** The cross-module view of a cardholder: enough to print on a card or a receipt. */
export async function getCardholder(
  tx: Queryable,
  id: string,
): Promise<{ id: string; name: string; dateOfBirth: string; maskedIdNumber: string }> {
  const row = await findCardholder(tx, id);
  if (row === undefined)
    throw new AppError('CARDHOLDER_NOT_FOUND', { details: { cardholderId: id } });
  return {
    id: row.id,
    name: row.name,
    dateOfBirth: row.dateOfBirth,
    maskedIdNumber: row.idNumberMasked,
  };
}

export async function findCardholder(
  tx: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<CardholderRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const lock = options.forUpdate === true ? ' FOR UPDATE' : '';
  const { rows } = await tx.query<CardholderRow>(
    `SELECT ${COLUMNS} FROM cardholders h WHERE h.id = $1${lock}`,
    [id],
  );
  return rows[0];
}

/**
 * Inserts unless the document is already registered, in which case it answers the holder's id.
 * ON CONFLICT waits for a concurrent insert of the same document, so a race is a clean answer too.
 */
export async function insertCardholder(
  tx: Queryable,
  id: string,
  fields: CardholderFields,
  now: Date,
): Promise<{ inserted: CardholderRow } | { existingId: string }> {
  const { rows } = await tx.query<CardholderRow>(
    `INSERT INTO cardholders AS h (id, name, document_type, document_country, document_label,
       id_number_sealed, id_number_index, id_number_masked, date_of_birth, sex, phone,
       created_at, updated_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1)
     ON CONFLICT ON CONSTRAINT cardholders_document_unique DO NOTHING
     RETURNING ${COLUMNS}`,
    [id, ...fieldValues(fields), now],
  );
  const inserted = rows[0];
  if (inserted !== undefined) return { inserted };
  const existingId = await findIdByDocument(tx, fields.documentType, fields.idNumberIndex);
  if (existingId === undefined) throw new Error('Document conflict without a holder');
  return { existingId };
}

function fieldValues(f: CardholderFields): unknown[] {
  return [
    f.name,
    f.documentType,
    f.documentCountry,
    f.documentLabel,
    f.idNumberSealed,
    f.idNumberIndex,
    f.idNumberMasked,
    f.dateOfBirth,
    f.sex,
    f.phone,
  ];
}

/** Another registration of the same document won a race the caller's own check could not see. */
function documentTaken(err: unknown): AppError | undefined {
  const { code, constraint } = err as { code?: unknown; constraint?: unknown };
  if (code !== '23505' || constraint !== 'cardholders_document_unique') return undefined;
  return new AppError('CARDHOLDER_EXISTS', { cause: err });
}

export async function findIdByDocument(
  tx: Queryable,
  documentType: DocumentType,
  idNumberIndex: string,
): Promise<string | undefined> {
  const { rows } = await tx.query<{ id: string }>(
    'SELECT id FROM cardholders WHERE document_type = $1 AND id_number_index = $2',
    [documentType, idNumberIndex],
  );
  return rows[0]?.id;
}

/** Writes every field and moves the version on by one; the caller holds the row lock. */
export async function updateCardholderRow(
  tx: Queryable,
  id: string,
  fields: CardholderFields,
  now: Date,
): Promise<CardholderRow> {
  const { rows } = await tx
    .query<CardholderRow>(
      `UPDATE cardholders AS h SET name = $2, document_type = $3, document_country = $4,
       document_label = $5, id_number_sealed = $6, id_number_index = $7, id_number_masked = $8,
       date_of_birth = $9, sex = $10, phone = $11, updated_at = $12, version = h.version + 1
     WHERE h.id = $1
     RETURNING ${COLUMNS}`,
      [id, ...fieldValues(fields), now],
    )
    .catch((err: unknown) => {
      throw documentTaken(err) ?? err;
    });
  const row = rows[0];
  if (row === undefined)
    throw new AppError('CARDHOLDER_NOT_FOUND', { details: { cardholderId: id } });
  return row;
}

export async function insertHistory(
  tx: Queryable,
  cardholderId: string,
  entry: HistoryRow,
): Promise<void> {
  await tx.query(
    `INSERT INTO cardholder_history (cardholder_id, version, changed_at, changed_by, changed_fields,
       reason, previous_sealed, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      cardholderId,
      entry.version,
      entry.changedAt,
      entry.changedBy,
      entry.changedFields,
      entry.reason,
      entry.previousSealed,
      entry.requestId,
    ],
  );
}

export async function listHistory(tx: Queryable, cardholderId: string): Promise<HistoryRow[]> {
  const { rows } = await tx.query<HistoryRow>(
    `SELECT version, changed_at AS "changedAt", changed_by AS "changedBy",
       changed_fields AS "changedFields", reason, previous_sealed AS "previousSealed",
       request_id AS "requestId"
     FROM cardholder_history WHERE cardholder_id = $1 ORDER BY version`,
    [cardholderId],
  );
  return rows;
}

/** `limit` rows at most, in name order; LIKE's wildcards in the prefix match only themselves. */
export async function searchByNamePrefix(
  tx: Queryable,
  prefix: string,
  limit: number,
): Promise<CardholderRow[]> {
  const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await tx.query<CardholderRow>(
    `SELECT ${COLUMNS} FROM cardholders h
     WHERE lower(h.name) LIKE $1 ORDER BY lower(h.name), h.id LIMIT $2`,
    [pattern, limit],
  );
  return rows;
}

export async function searchByDocumentIndex(
  tx: Queryable,
  documentType: DocumentType,
  idNumberIndex: string,
): Promise<CardholderRow[]> {
  const { rows } = await tx.query<CardholderRow>(
    `SELECT ${COLUMNS} FROM cardholders h WHERE h.document_type = $1 AND h.id_number_index = $2`,
    [documentType, idNumberIndex],
  );
  return rows;
}

/** Through the cards table (card_number, cardholder_id): the holder of that card, if it has one. */
export async function searchByCardNumber(
  tx: Queryable,
  cardNumber: string,
): Promise<CardholderRow[]> {
  const { rows } = await tx.query<CardholderRow>(
    `SELECT ${COLUMNS} FROM cardholders h
     WHERE h.id IN (SELECT c.cardholder_id FROM cards c WHERE c.card_number = $1)`,
    [cardNumber],
  );
  return rows;
}
