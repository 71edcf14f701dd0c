import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { partyInput, type Party, type PartyInput, type PartyKind } from './party.types.js';

interface PartyRow {
  party_id: string;
  kind: PartyKind;
  version: number;
  name: string;
  bank_name: string | null;
  bank_account_name: string | null;
  bank_account_number: string | null;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  changed_by: string;
  changed_at: Date;
}

const COLUMNS = `party_id, kind, version, name, bank_name, bank_account_name, bank_account_number,
  contact_name, contact_email, contact_phone, changed_by, changed_at`;

function partyOf(r: PartyRow): Party {
  return {
    id: r.party_id,
    kind: r.kind,
    version: r.version,
    name: r.name,
    bankName: r.bank_name,
    bankAccountName: r.bank_account_name,
    bankAccountNumber: r.bank_account_number,
    contactName: r.contact_name,
    contactEmail: r.contact_email,
    contactPhone: r.contact_phone,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  };
}

/** Records a party's settlement data as its next version (the first call creates it). */
export async function saveParty(
  db: Queryable,
  input: PartyInput,
  author: { readonly by: string; readonly now: Date },
): Promise<Party> {
  const result = partyInput.safeParse(input);
  if (!result.success) {
    throw new AppError('VALIDATION_FAILED', {
      details: { issues: result.error.issues.map((i) => ({ path: i.path.join('.') })) },
    });
  }
  const p = result.data;
  const { rows } = await db.query<PartyRow>(
    `INSERT INTO clearing.party_versions (${COLUMNS})
     SELECT $1, $2, COALESCE(max(version), 0) + 1, $3, $4, $5, $6, $7, $8, $9, $10, $11
       FROM clearing.party_versions WHERE party_id = $1
     RETURNING ${COLUMNS}`,
    [
      p.id,
      p.kind,
      p.name,
      p.bankName ?? null,
      p.bankAccountName ?? null,
      p.bankAccountNumber ?? null,
      p.contactName ?? null,
      p.contactEmail ?? null,
      p.contactPhone ?? null,
      author.by,
      author.now,
    ],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('party insert returned nothing');
  return partyOf(row);
}

export async function getParty(db: Queryable, id: string): Promise<Party> {
  const { rows } = await db.query<PartyRow>(
    `SELECT ${COLUMNS} FROM clearing.parties WHERE party_id = $1`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) throw new AppError('PARTY_NOT_FOUND', { details: { partyId: id } });
  return partyOf(row);
}

/** The version in force of every party. */
export async function listParties(db: Queryable, kind?: PartyKind): Promise<Party[]> {
  const { rows } = await db.query<PartyRow>(
    `SELECT ${COLUMNS} FROM clearing.parties WHERE $1::text IS NULL OR kind = $1
      ORDER BY party_id`,
    [kind ?? null],
  );
  return rows.map(partyOf);
}
