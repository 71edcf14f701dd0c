import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';

/**
 * A schema with the shape of issuance's contract views, as plain tables a test fills: the gateway
 * relies on the views' columns only, so it cannot tell the difference, and each test app gets
 * cards, hotlist and staff sessions of its own.
 */
export async function createContractDouble(db: Queryable, schema: string): Promise<void> {
  await db.query(`
    CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.product_contract (
      code text PRIMARY KEY, product_digits text NOT NULL, concession_ref text NOT NULL,
      max_balance numeric(18,2) NOT NULL, active boolean NOT NULL DEFAULT true);
    CREATE TABLE ${schema}.card_contract (
      card_number text PRIMARY KEY, uid text NOT NULL, product_code text, concession_ref text,
      state text NOT NULL, expires_on date);
    CREATE TABLE ${schema}.hotlist_contract (
      version bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, card_number text, uid text NOT NULL,
      action text NOT NULL, reason text NOT NULL, created_at timestamptz NOT NULL);
    CREATE TABLE ${schema}.staff_session_contract (
      token_hash bytea PRIMARY KEY, staff_id uuid NOT NULL, username text NOT NULL,
      roles text[] NOT NULL, expires_at timestamptz NOT NULL);
    INSERT INTO ${schema}.product_contract (code, product_digits, concession_ref, max_balance) VALUES
      ('standard', '01', 'FULL', 1000.00), ('student', '02', 'STUDENT', 1000.00),
      ('senior', '03', 'SENIOR', 1000.00);
  `);
}

export interface TestCard {
  readonly cardNumber: string;
  readonly uid: string;
  readonly productCode: string;
}

export interface AddCardOptions {
  readonly productCode?: 'standard' | 'student' | 'senior';
  readonly state?: string;
  /** YYYY-MM-DD; default ten years ahead. */
  readonly expiresOn?: string;
}

const CONCESSIONS = { standard: 'FULL', student: 'STUDENT', senior: 'SENIOR' } as const;

export async function addCard(
  db: Queryable,
  schema: string,
  opts: AddCardOptions = {},
): Promise<TestCard> {
  const productCode = opts.productCode ?? 'standard';
  const cardNumber = `3100${String(randomInt(10 ** 6)).padStart(6, '0')}${String(randomInt(10 ** 6)).padStart(6, '0')}`;
  const uid = randomBytes(4).toString('hex').toUpperCase();
  const expiresOn = opts.expiresOn ?? `${new Date().getUTCFullYear() + 10}-12-31`;
  await db.query(
    `INSERT INTO ${schema}.card_contract
       (card_number, uid, product_code, concession_ref, state, expires_on)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [cardNumber, uid, productCode, CONCESSIONS[productCode], opts.state ?? 'active', expiresOn],
  );
  return { cardNumber, uid, productCode };
}

export async function hotlistCard(
  db: Queryable,
  schema: string,
  card: TestCard,
  at: Date,
  action: 'add' | 'remove' = 'add',
): Promise<void> {
  await db.query(
    `INSERT INTO ${schema}.hotlist_contract (card_number, uid, action, reason, created_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [card.cardNumber, card.uid, action, action === 'add' ? 'lost' : 'unfrozen', at],
  );
}

export interface TestStaff {
  readonly staffId: string;
  readonly username: string;
  readonly headers: Record<string, string>;
}

/** A live session as issuance would show it: the bearer token works on the gateway at once. */
export async function addStaffSession(
  db: Queryable,
  schema: string,
  roles: readonly string[],
): Promise<TestStaff> {
  const token = randomBytes(32).toString('base64url');
  const staffId = crypto.randomUUID();
  const username = `staff_${randomBytes(4).toString('hex')}`;
  await db.query(
    `INSERT INTO ${schema}.staff_session_contract (token_hash, staff_id, username, roles, expires_at)
     VALUES ($1, $2, $3, $4, now() + interval '1 hour')`,
    [createHash('sha256').update(token).digest(), staffId, username, roles],
  );
  return { staffId, username, headers: { authorization: `Bearer ${token}` } };
}
