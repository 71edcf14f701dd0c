import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { CardCommand, CardState } from './lifecycle.js';

export interface CardRow {
  readonly id: string;
  readonly uid: string;
  readonly batchId: string | null;
  readonly importedAt: Date;
  readonly cardNumber: string | null;
  readonly productCode: string | null;
  readonly cardholderId: string | null;
  readonly state: CardState;
  /** numeric(18,2) as text: the deposit that came with the card. */
  readonly deposit: string;
  readonly issuedAt: Date | null;
  /** YYYY-MM-DD */
  readonly expiresOn: string | null;
  readonly replaces: string | null;
  readonly replacedBy: string | null;
  readonly version: number;
  readonly updatedAt: Date;
  /** Layout and master-key version the card is (being) personalised with; null before. */
  readonly layoutVersion: number | null;
  readonly keyVersion: number | null;
  readonly personalisation: PersonalisationStatus;
  /** Sectors known to carry the card's own keys. */
  readonly keyedSectors: number[];
}

export type PersonalisationStatus = 'not_started' | 'in_progress' | 'done';

export interface StateChangeRow {
  readonly seq: number;
  readonly fromState: CardState | null;
  readonly toState: CardState;
  readonly command: CardCommand | 'import';
  readonly reason: string | null;
  readonly staffId: string | null;
  readonly requestId: string;
  readonly at: Date;
}

export interface IssueFields {
  readonly cardNumber: string;
  readonly productCode: string;
  readonly cardholderId: string;
  readonly deposit: string;
  readonly validityYears: number;
  readonly replaces: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// expires_on goes out as text: pg would turn a date into a JS Date at local midnight.
const COLUMNS = `c.id, c.uid, c.batch_id AS "batchId", c.imported_at AS "importedAt",
  c.card_number AS "cardNumber", c.product_code AS "productCode",
  c.cardholder_id AS "cardholderId", c.state, c.deposit::text AS deposit,
  c.issued_at AS "issuedAt", c.expires_on::text AS "expiresOn", c.replaces,
  c.replaced_by AS "replacedBy", c.version, c.updated_at AS "updatedAt",
  c.layout_version AS "layoutVersion", c.key_version AS "keyVersion", c.personalisation,
  c.keyed_sectors AS "keyedSectors"`;

export function cardNotFound(details: Record<string, unknown>): AppError {
  return new AppError('CARD_NOT_FOUND', { details });
}

export async function findCard(
  tx: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<CardRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const lock = options.forUpdate === true ? ' FOR UPDATE' : '';
  const { rows } = await tx.query<CardRow>(
    `SELECT ${COLUMNS} FROM cards c WHERE c.id = $1${lock}`,
    [id],
  );
  return rows[0];
}

export async function requireCard(
  tx: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<CardRow> {
  const card = await findCard(tx, id, options);
  if (card === undefined) throw cardNotFound({ cardId: id });
  return card;
}

export async function lockCardByUid(tx: Queryable, uid: string): Promise<CardRow> {
  const { rows } = await tx.query<CardRow>(
    `SELECT ${COLUMNS} FROM cards c WHERE c.uid = $1 FOR UPDATE`,
    [uid],
  );
  const card = rows[0];
  if (card === undefined) throw cardNotFound({ uid });
  return card;
}

/** Locks a card and a stock card together, in id order, so two replacements cannot deadlock. */
export async function lockCardAndUid(
  tx: Queryable,
  id: string,
  uid: string,
): Promise<{ card: CardRow; byUid: CardRow }> {
  const { rows } = await tx.query<CardRow>(
    `SELECT ${COLUMNS} FROM cards c WHERE c.id = $1 OR c.uid = $2 ORDER BY c.id FOR UPDATE`,
    [UUID.test(id) ? id : null, uid],
  );
  const card = rows.find((r) => r.id === id);
  if (card === undefined) throw cardNotFound({ cardId: id });
  const byUid = rows.find((r) => r.uid === uid);
  if (byUid === undefined) throw cardNotFound({ uid });
  return { card, byUid };
}

export async function findCardByNumber(
  tx: Queryable,
  cardNumber: string,
): Promise<CardRow | undefined> {
  const { rows } = await tx.query<CardRow>(
    `SELECT ${COLUMNS} FROM cards c WHERE c.card_number = $1`,
    [cardNumber],
  );
  return rows[0];
}

export async function nextSerial(tx: Queryable): Promise<bigint> {
  const { rows } = await tx.query<{ serial: string }>(
    "SELECT nextval('card_serial')::text AS serial",
  );
  return BigInt(rows[0]?.serial ?? '0');
}

async function updated(tx: Queryable, sql: string, values: unknown[]): Promise<CardRow> {
  const { rows } = await tx.query<CardRow>(`${sql} RETURNING ${COLUMNS}`, values);
  const card = rows[0];
  if (card === undefined) throw cardNotFound({ cardId: values[0] });
  return card;
}

export function setCardState(
  tx: Queryable,
  id: string,
  state: CardState,
  now: Date,
): Promise<CardRow> {
  return updated(
    tx,
    `UPDATE cards c SET state = $2, updated_at = $3, version = c.version + 1 WHERE c.id = $1`,
    [id, state, now],
  );
}

/** Binds a stock card to its holder and product; validity runs from the Shanghai calendar day. */
export function writeIssue(
  tx: Queryable,
  id: string,
  fields: IssueFields,
  now: Date,
): Promise<CardRow> {
  return updated(
    tx,
    `UPDATE cards c SET state = 'personalised', card_number = $2, product_code = $3,
       cardholder_id = $4, deposit = $5::numeric, issued_at = $6,
       expires_on = (($6::timestamptz AT TIME ZONE 'Asia/Shanghai')::date
                     + make_interval(years => $7::integer))::date,
       replaces = $8, updated_at = $6, version = c.version + 1
     WHERE c.id = $1`,
    [
      id,
      fields.cardNumber,
      fields.productCode,
      fields.cardholderId,
      fields.deposit,
      now,
      fields.validityYears,
      fields.replaces,
    ],
  );
}

export function writeReplaced(
  tx: Queryable,
  id: string,
  replacedBy: string,
  now: Date,
): Promise<CardRow> {
  return updated(
    tx,
    `UPDATE cards c SET state = 'replaced', replaced_by = $2, updated_at = $3,
       version = c.version + 1
     WHERE c.id = $1`,
    [id, replacedBy, now],
  );
}

/** The next seq is safe to compute here: the caller holds the card's row lock. */
export async function insertStateChange(
  tx: Queryable,
  cardId: string,
  change: Omit<StateChangeRow, 'seq'>,
): Promise<void> {
  await tx.query(
    `INSERT INTO card_state_changes (card_id, seq, from_state, to_state, command, reason,
       staff_id, request_id, at)
     SELECT $1, COALESCE(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8
     FROM card_state_changes WHERE card_id = $1`,
    [
      cardId,
      change.fromState,
      change.toState,
      change.command,
      change.reason,
      change.staffId,
      change.requestId,
      change.at,
    ],
  );
}

export async function listStateChanges(tx: Queryable, cardId: string): Promise<StateChangeRow[]> {
  const { rows } = await tx.query<StateChangeRow>(
    `SELECT seq, from_state AS "fromState", to_state AS "toState", command, reason,
       staff_id AS "staffId", request_id AS "requestId", at
     FROM card_state_changes WHERE card_id = $1 ORDER BY seq`,
    [cardId],
  );
  return rows;
}
