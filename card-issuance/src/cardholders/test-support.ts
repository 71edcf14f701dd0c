import { randomInt, randomUUID } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import { residentIdCheckCharacter } from './id-number.js';

/** A fresh valid resident id (Shanghai districts); `sex` picks the parity of the sequence. */
export function residentId(dateOfBirth = '1985-03-07', sex: 'M' | 'F' = 'F'): string {
  const region = `3101${String(randomInt(0, 100)).padStart(2, '0')}`;
  const sequence = randomInt(0, 500) * 2 + (sex === 'M' ? 1 : 0);
  const body = `${region}${dateOfBirth.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return body + residentIdCheckCharacter(body);
}

export function birthDateOf(residentIdNumber: string): string {
  const d = residentIdNumber.slice(6, 14);
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
}

export const uniqueName = (prefix = 'Holder'): string => `${prefix} ${randomUUID().slice(0, 8)}`;

export interface CardholderJson {
  id: string;
  name: string;
  documentType: string;
  documentCountry: string | null;
  maskedIdNumber: string;
  dateOfBirth: string;
  sex: string | null;
  phone: string | null;
  version: number;
}

export async function countByName(db: Queryable, name: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM issuance.cardholders WHERE name = $1',
    [name],
  );
  return Number(rows[0]?.n);
}

/** The cardholder's row and all its history rows as JSON text, to look for plaintext in. */
export async function storedText(db: Queryable, id: string): Promise<string> {
  const { rows } = await db.query<{ row: string; history: string | null }>(
    `SELECT row_to_json(h)::text AS row,
       (SELECT string_agg(row_to_json(x)::text, '') FROM issuance.cardholder_history x
        WHERE x.cardholder_id = h.id) AS history
     FROM issuance.cardholders h WHERE h.id = $1`,
    [id],
  );
  return `${rows[0]?.row ?? ''}${rows[0]?.history ?? ''}`;
}
