import type { Queryable } from '@citycard/core/db';

/** A card as issuance's card_contract shows it, with its product's maximum balance. */
export interface ContractCard {
  card_number: string;
  uid: string;
  product_code: string | null;
  concession_ref: string | null;
  state: string;
  /** YYYY-MM-DD */
  expires_on: string | null;
  max_balance: string | null;
}

export interface HotlistRow {
  card_number: string | null;
  uid: string;
  action: 'add' | 'remove';
  created_at: Date;
}

// The schema name comes from deps (validated there), never from a request.
const SCHEMA = /^[a-z_][a-z0-9_]*$/;
export function qualified(schema: string, view: string): string {
  if (!SCHEMA.test(schema)) throw new Error(`invalid contract schema ${schema}`);
  return `${schema}.${view}`;
}

/** Cards by number with their product's maximum balance ($n: a text[] of card numbers). */
export function cardsSql(schema: string, cardNumbers: string): string {
  return `SELECT c.card_number, c.uid, c.product_code, c.concession_ref, c.state,
                 to_char(c.expires_on, 'YYYY-MM-DD') AS expires_on, p.max_balance::text AS max_balance
            FROM ${qualified(schema, 'card_contract')} c
            LEFT JOIN ${qualified(schema, 'product_contract')} p ON p.code = c.product_code
           WHERE c.card_number = ANY(${cardNumbers}::text[])`;
}

export async function cardsByNumber(
  db: Queryable,
  schema: string,
  cardNumbers: readonly string[],
): Promise<Map<string, ContractCard>> {
  const { rows } = await db.query<ContractCard>(cardsSql(schema, '$1'), [cardNumbers]);
  return new Map(rows.map((r) => [r.card_number, r]));
}
