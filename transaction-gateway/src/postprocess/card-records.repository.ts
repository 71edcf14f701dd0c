import type { Queryable } from '@citycard/core/db';
import { parseFareSet, type FareSet } from '@citycard/terminal-sdk/fare';
import type { ChainRecord } from './continuity.js';
import type { TransitRecord } from './fare-day-check.js';
import type { OutboxPayload } from './outbox.js';

interface RecordRow {
  terminal_id: string;
  sequence: string;
  type: string;
  purse_counter: string;
  amount: string;
  balance_before: string;
  balance_after: string;
  occurred_at: Date;
  operator_id: string;
  location: TransitRecord['location'];
  fare_set_version: string | null;
  in_chain: boolean;
}

export interface CardRecords {
  readonly chain: ChainRecord[];
  readonly transit: TransitRecord[];
}

const TRANSIT = new Set(['transit_flat', 'transit_entry', 'transit_exit', 'transit_correction']);

/**
 * A card's records that count (accepted or released), and those quarantined as COUNTER_REPLAY,
 * which are evidence of a counter used twice.
 */
export async function cardRecords(db: Queryable, cardNumber: string): Promise<CardRecords> {
  const { rows } = await db.query<RecordRow>(
    `SELECT terminal_id, sequence::text, type, purse_counter::text, amount, balance_before,
            balance_after, occurred_at, operator_id, location, fare->>'fareSetVersion' AS fare_set_version,
            status IN ('accepted', 'released') AS in_chain
       FROM transactions
      WHERE card_number = $1
        AND (status IN ('accepted', 'released') OR (status = 'quarantined' AND reason = 'COUNTER_REPLAY'))
      ORDER BY purse_counter, terminal_id, sequence`,
    [cardNumber],
  );
  const chain = rows.map((r) => ({
    terminalId: r.terminal_id,
    sequence: r.sequence,
    purseCounter: Number(r.purse_counter),
    balanceBefore: r.balance_before,
    balanceAfter: r.balance_after,
    inChain: r.in_chain,
  }));
  const transit = rows
    .filter((r) => r.in_chain && TRANSIT.has(r.type) && r.fare_set_version !== null)
    .map((r) => ({
      terminalId: r.terminal_id,
      sequence: r.sequence,
      type: r.type as TransitRecord['type'],
      purseCounter: Number(r.purse_counter),
      amount: r.amount,
      occurredAt: r.occurred_at,
      operatorId: r.operator_id,
      location: r.location,
      fareSetVersion: r.fare_set_version as string,
    }));
  return { chain, transit };
}

/** The cards an outbox job concerns (see OUTBOX_TOPICS). */
export async function cardsOfJob(db: Queryable, payload: OutboxPayload): Promise<string[]> {
  const listed = (payload.cardNumbers ?? []).filter((c) => /^\d{16}$/.test(c));
  if (listed.length > 0 || payload.terminalId === undefined) return [...new Set(listed)];
  const { rows } = await db.query<{ card_number: string }>(
    `SELECT DISTINCT card_number FROM transactions
      WHERE terminal_id = $1
        AND (($2::bigint IS NOT NULL AND batch_seq = $2) OR sequence = ANY($3::bigint[]))`,
    [payload.terminalId, payload.batchSeq ?? null, payload.sequences ?? []],
  );
  return rows.map((r) => r.card_number).sort();
}

/** The card's concession as issuance's card_contract shows it ('FULL' when it has none). */
export async function concessionOf(
  db: Queryable,
  issuanceSchema: string,
  cardNumber: string,
): Promise<string> {
  const view = `"${issuanceSchema.replaceAll('"', '""')}".card_contract`;
  const { rows } = await db.query<{ concession_ref: string | null }>(
    `SELECT concession_ref FROM ${view} WHERE card_number = $1`,
    [cardNumber],
  );
  return rows[0]?.concession_ref ?? 'FULL';
}

const published = new Map<string, FareSet>();

/** Published fare sets by version; a published version never changes, so they are cached. */
export async function fareSetsByVersion(
  db: Queryable,
  versions: readonly string[],
): Promise<ReadonlyMap<string, FareSet>> {
  const missing = versions.filter((v) => !published.has(v));
  if (missing.length > 0) {
    const { rows } = await db.query<{ version: string; body: unknown }>(
      'SELECT version, body FROM fare_sets WHERE version = ANY($1::text[])',
      [missing],
    );
    for (const r of rows) published.set(r.version, parseFareSet(r.body));
  }
  return new Map(
    versions.flatMap((v) => {
      const set = published.get(v);
      return set === undefined ? [] : [[v, set] as const];
    }),
  );
}
