import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import {
  createScratchDatabase,
  withTransaction,
  type Queryable,
  type ScratchDatabase,
} from '@citycard/core/db';
import { databaseUrl } from '../testing/harness.js';
import { service } from '../service.js';

// Services never import each other: the gateway's tables come from its migration folder.
const gatewayMigrations = fileURLToPath(
  new URL('../../../transaction-gateway/migrations', import.meta.url),
);

export type PostingTestDb = ScratchDatabase;

/**
 * A database of its own with issuance and the gateway migrated: a posting takes every accepted
 * record of the database, so these tests never share one with tests that write gateway rows.
 * Issuance is first on the search_path, as on the service's pool.
 */
export function createPostingTestDb(): Promise<PostingTestDb> {
  return createScratchDatabase({
    serverUrl: databaseUrl(),
    prefix: 'shadow_posting_test',
    applicationName: 'citycard-shadow-posting-test',
    searchPath: [service.schema, 'public'],
    migrations: [service.migrations, { schema: 'gateway', dir: gatewayMigrations }],
  });
}

export interface TestCard {
  readonly id: string;
  readonly cardNumber: string;
}

let serial = 0;
const run = randomBytes(2).readUInt16BE() % 1000;

/** A card number no other card of this process has (the check digit is not checked here). */
export function freshCardNumber(): string {
  serial++;
  return `310001${String(run).padStart(3, '0')}${String(serial).padStart(7, '0')}`;
}

/** Active standard cards with holders, written straight to the tables. */
export async function makeCards(db: Queryable, count: number): Promise<TestCard[]> {
  const cards = Array.from({ length: count }, () => ({
    id: randomUUID(),
    holderId: randomUUID(),
    cardNumber: freshCardNumber(),
    uid: randomBytes(7).toString('hex').toUpperCase(),
    index: randomBytes(32).toString('hex'),
  }));
  const col = <T>(f: (c: (typeof cards)[number]) => T): T[] => cards.map(f);
  await db.query(
    `WITH h AS (
       INSERT INTO cardholders (id, name, document_type, document_label, id_number_sealed,
         id_number_index, id_number_masked, date_of_birth, created_at, updated_at, version)
       SELECT holder_id, 'Holder', 'other', 'test', 'v1.test', idx, '****', DATE '1980-01-01',
              now(), now(), 1
         FROM unnest($2::uuid[], $5::text[]) AS x(holder_id, idx)
     )
     INSERT INTO cards (id, uid, imported_at, card_number, product_code, cardholder_id, state,
       issued_at, expires_on, updated_at)
     SELECT id, uid, now(), card_number, 'standard', holder_id, 'active', now(),
            DATE '2036-01-01', now()
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])
         AS c(id, holder_id, card_number, uid)`,
    [
      col((c) => c.id),
      col((c) => c.holderId),
      col((c) => c.cardNumber),
      col((c) => c.uid),
      col((c) => c.index),
    ],
  );
  return cards.map((c) => ({ id: c.id, cardNumber: c.cardNumber }));
}

/**
 * A load as the counter writes one: card row locked, appended after the card's last entry. It may
 * leave a card that terminals took below zero still below zero.
 */
export async function loadCard(pool: pg.Pool, cardId: string, amount: string): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await tx.query('SELECT 1 FROM cards WHERE id = $1 FOR UPDATE', [cardId]);
    await tx.query(
      `INSERT INTO shadow_balance_entries (card_id, seq, kind, amount, balance_after, reference, at)
       SELECT $1, b.last_seq + 1, 'load', $2::numeric, b.balance + $2::numeric, $3, now()
         FROM shadow_balances b WHERE b.card_id = $1`,
      [cardId, amount, `load:${randomUUID()}`],
    );
  });
}

export interface GatewayRecord {
  readonly terminalId: string;
  readonly sequence: number;
  readonly cardNumber: string;
  /** Two places; what left the purse (negative for a transit_correction). */
  readonly amount: string;
  readonly occurredAt: Date;
  /** Default: now. */
  readonly receivedAt?: Date;
  /** Default 'purchase'. */
  readonly type?: string;
  /** Default 'accepted'. */
  readonly status?: 'accepted' | 'quarantined';
}

/** A record of `terminalId` on `card`, with the time it happened as ISO text. */
export function tapOf(
  terminalId: string,
  card: TestCard,
): (
  sequence: number,
  amount: string,
  occurredAt: string,
  extra?: Partial<GatewayRecord>,
) => GatewayRecord {
  return (sequence, amount, occurredAt, extra = {}) => ({
    terminalId,
    sequence,
    cardNumber: card.cardNumber,
    amount,
    occurredAt: new Date(occurredAt),
    ...extra,
  });
}

/** A fresh card (and its tap maker on a fresh terminal). */
export async function oneCard(db: Queryable): Promise<{
  card: TestCard;
  terminal: string;
  tap: ReturnType<typeof tapOf>;
}> {
  const [card] = await makeCards(db, 1);
  if (card === undefined) throw new Error('no card made');
  const terminal = freshTerminal();
  return { card, terminal, tap: tapOf(terminal, card) };
}

/** Stores records in gateway.transactions as the gateway does once it has verified them. */
export async function insertGatewayRecords(
  db: Queryable,
  records: readonly GatewayRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const col = <T>(f: (r: GatewayRecord) => T): T[] => records.map(f);
  await db.query(
    `INSERT INTO gateway.transactions (terminal_id, sequence, type, card_number, uid,
       purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
       operator_id, location, mac, record_hash, received_at, business_day, status, reason)
     SELECT r.terminal_id, r.sequence, r.type, r.card_number, '04A1B2C3', r.sequence, r.amount,
            1000.00, 1000.00 - r.amount, r.occurred_at, r.occurred_at::text, 'op-test',
            '{}'::jsonb, repeat('0', 32), md5(r.terminal_id || '/' || r.sequence), r.received_at,
            ((r.received_at AT TIME ZONE 'Asia/Shanghai') - interval '4 hours')::date,
            r.status, CASE WHEN r.status = 'accepted' THEN NULL ELSE 'test' END
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::numeric[],
                   $6::timestamptz[], $7::timestamptz[], $8::text[])
         AS r(terminal_id, sequence, type, card_number, amount, occurred_at, received_at, status)`,
    [
      col((r) => r.terminalId),
      col((r) => r.sequence),
      col((r) => r.type ?? (r.amount.startsWith('-') ? 'transit_correction' : 'purchase')),
      col((r) => r.cardNumber),
      col((r) => r.amount),
      col((r) => r.occurredAt),
      col((r) => r.receivedAt ?? new Date()),
      col((r) => r.status ?? 'accepted'),
    ],
  );
}

/** Releases a quarantined record, as the gateway's maker-checker does. */
export async function releaseRecord(
  db: Queryable,
  terminalId: string,
  sequence: number,
): Promise<void> {
  await db.query(
    `UPDATE gateway.transactions
        SET status = 'released', resolved_at = now(),
            resolved_business_day = ((now() AT TIME ZONE 'Asia/Shanghai') - interval '4 hours')::date
      WHERE terminal_id = $1 AND sequence = $2`,
    [terminalId, sequence],
  );
}

export const freshTerminal = (): string => `T-${randomBytes(5).toString('hex')}`;

export async function balanceOf(db: Queryable, cardId: string): Promise<string> {
  const { rows } = await db.query<{ balance: string }>(
    'SELECT balance::text AS balance FROM shadow_balances WHERE card_id = $1',
    [cardId],
  );
  return rows[0]?.balance ?? 'missing';
}

export interface EntryRow {
  readonly seq: number;
  readonly kind: string;
  readonly amount: string;
  readonly balanceAfter: string;
  readonly terminalId: string | null;
  readonly sequence: string | null;
}

export async function entriesOf(db: Queryable, cardId: string): Promise<EntryRow[]> {
  const { rows } = await db.query<EntryRow>(
    `SELECT seq, kind, amount::text AS amount, balance_after::text AS "balanceAfter",
            terminal_id AS "terminalId", sequence::text AS sequence
       FROM shadow_balance_entries WHERE card_id = $1 ORDER BY seq`,
    [cardId],
  );
  return rows;
}

/** Posts until nothing is waiting; the total of every round. */
export async function postAll(
  post: () => Promise<{ posted: number; drained: boolean; busy: boolean }>,
): Promise<number> {
  let posted = 0;
  for (;;) {
    const r = await post();
    posted += r.posted;
    if (r.drained || r.busy) return posted;
  }
}
