import type { Queryable } from '@citycard/core/db';
import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';
import type { OutboxPayload } from '../postprocess/index.js';
import type { CurrentTerminal } from '../terminals/index.js';
import {
  TAKEN_COUNTERS_SQL,
  cardsSql,
  type ContractCard,
  type CounterKey,
  type HotlistCache,
  type TakenCounter,
  type VersionedRow,
} from '../verification/index.js';
import { recordColumns, type IngestState, type RecordRow } from './ingest.repository.js';

/** One record posted alone, as a group read sees it. */
export interface GroupItemFacts {
  /** The terminal's row now (null: gone). */
  terminal: CurrentTerminal | null;
  state: IngestState;
  /** record_hash stored under the record's sequence (at most the terminal's highest seen). */
  existing: string | undefined;
}

export interface GroupFacts {
  cards: Map<string, ContractCard>;
  taken: TakenCounter[];
  /** In the order of the records read. */
  items: GroupItemFacts[];
}

export interface GroupInput {
  readonly issuanceSchema: string;
  readonly hotlist: HotlistCache;
  /** At most one record per terminal. */
  readonly records: readonly TransactionRecord[];
  readonly counters: readonly CounterKey[];
}

type HotlistJson = Omit<VersionedRow, 'created_at'> & { created_at: string };
type ItemJson = [
  CurrentTerminal | null,
  string | null,
  string | null,
  string | null,
  string | null,
];

interface GroupRow {
  cards: ContractCard[];
  counters: TakenCounter[];
  hotlist: HotlistJson[];
  items: ItemJson[];
}

// Per record: its terminal now, the terminal's position and version, and the copy stored
// under its sequence (only at or below the highest seen, as for an upload read alone).
const ITEMS_SQL = `
  SELECT json_agg(json_build_array(
           (SELECT json_build_object('status', t.status, 'operator_enabled', o.enabled,
                                     'mac_key_sealed', t.mac_key_sealed)
              FROM terminals t JOIN operators o ON o.id = t.operator_id
             WHERE t.id = i.terminal_id),
           s.highest_contiguous::text, s.highest_seen::text, s.version::text,
           (SELECT e.record_hash FROM transactions e
             WHERE e.terminal_id = i.terminal_id AND e.sequence = i.sequence
               AND e.sequence <= s.highest_seen))
         ORDER BY i.n)
    FROM unnest($5::text[], $6::bigint[]) WITH ORDINALITY AS i (terminal_id, sequence, n)
    LEFT JOIN terminal_ingest_state s ON s.terminal_id = i.terminal_id`;

/**
 * What a group of records posted alone (from different terminals) is checked against, in one
 * round trip and one snapshot: the cards, the counted records under their purse counters, the
 * hotlist versions added since the cache last read, and per record its terminal's row, position
 * and version and the copy already stored under its sequence.
 */
export async function readGroup(db: Queryable, input: GroupInput): Promise<GroupFacts> {
  const { hotlist, records } = input;
  const since = await hotlist.since();
  // Named (per contract schema): each connection parses and plans the statement once.
  const { rows } = await db.query<GroupRow>({
    name: `gateway-ingest-group-read-v1-${input.issuanceSchema}`,
    text: `SELECT
       (SELECT coalesce(json_agg(c), '[]') FROM (${cardsSql(input.issuanceSchema, '$1')}) c)
         AS cards,
       (SELECT coalesce(json_agg(k), '[]') FROM (${TAKEN_COUNTERS_SQL('$2', '$3')}) k)
         AS counters,
       (SELECT coalesce(json_agg(h ORDER BY h.version::bigint), '[]')
          FROM (${hotlist.deltaSql('$4')}) h) AS hotlist,
       (${ITEMS_SQL}) AS items`,
    values: [
      [...new Set(records.map((r) => r.cardNumber))],
      input.counters.map((c) => c.record.cardNumber),
      input.counters.map((c) => c.record.purseCounter),
      since,
      records.map((r) => r.terminalId),
      records.map((r) => r.sequence),
    ],
  });
  const row = rows[0];
  if (row === undefined) throw new Error('the group read returned nothing');
  hotlist.apply(row.hotlist.map((h) => ({ ...h, created_at: new Date(h.created_at) })));
  return {
    cards: new Map(row.cards.map((c) => [c.card_number, c])),
    taken: row.counters,
    items: (row.items ?? []).map(([terminal, contiguous, seen, version, existing]) => ({
      terminal,
      state: {
        highestContiguous: Number(contiguous ?? 0),
        highestSeen: Number(seen ?? 0),
        version: version ?? '0',
      },
      existing: existing ?? undefined,
    })),
  };
}

/** What one record posted alone writes, decided from the group read. */
export interface GroupWrite {
  readonly terminalId: string;
  readonly operatorId: string;
  /** The state version the record was checked against. */
  readonly expectedVersion: string;
  readonly highestContiguous: number;
  readonly highestSeen: number;
  readonly insert: RecordRow | undefined;
  readonly conflict: RecordRow | undefined;
  readonly gap: { from: number; to: number } | undefined;
  readonly outbox: { topic: string; payload: OutboxPayload } | undefined;
}

const GROUP_WRITE_SQL = `
  WITH moved AS (
    INSERT INTO terminal_ingest_state AS s (terminal_id, highest_contiguous, highest_seen,
                                            last_batch_sequence, updated_at, version)
    SELECT m.terminal_id, m.highest_contiguous, m.highest_seen, 0, $1, m.expected + 1
      FROM json_to_recordset($3::json)
        AS m (terminal_id text, highest_contiguous bigint, highest_seen bigint, expected bigint)
     ORDER BY m.terminal_id
    ON CONFLICT (terminal_id) DO UPDATE
       SET highest_contiguous = EXCLUDED.highest_contiguous,
           highest_seen = EXCLUDED.highest_seen,
           updated_at = EXCLUDED.updated_at, version = s.version + 1
     WHERE s.version = EXCLUDED.version - 1
    RETURNING s.terminal_id
  ), inserted AS (
    INSERT INTO transactions (terminal_id, sequence, batch_seq, type, card_number, uid,
      purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
      operator_id, location, fare, mac, record_hash, received_at, business_day, status, reason)
    SELECT r.terminal_id, r.sequence, NULL, r.type, r.card_number, r.uid, r.purse_counter,
           r.amount, r.balance_before, r.balance_after, r.occurred_at, r.occurred_at_text,
           r.operator_id, r.location, r.fare, r.mac, r.record_hash, $1, $2, r.status, r.reason
      FROM json_to_recordset($4::json)
        AS r (terminal_id text, operator_id text, sequence bigint, type text, card_number text,
              uid text, purse_counter bigint, amount numeric, balance_before numeric,
              balance_after numeric, occurred_at timestamptz, occurred_at_text text,
              location jsonb, fare jsonb, mac text, record_hash text, status text, reason text)
     WHERE r.terminal_id IN (SELECT terminal_id FROM moved)
  ), conflicts AS (
    INSERT INTO record_conflicts (terminal_id, sequence, batch_seq, record, record_hash,
                                  received_at)
    SELECT k.terminal_id, k.sequence, NULL, k.record, k.record_hash, $1
      FROM json_to_recordset($5::json)
        AS k (terminal_id text, sequence bigint, record jsonb, record_hash text)
     WHERE k.terminal_id IN (SELECT terminal_id FROM moved)
    ON CONFLICT DO NOTHING
  ), gaps AS (
    INSERT INTO sequence_gaps (terminal_id, from_seq, to_seq, batch_seq, noted_at)
    SELECT g.terminal_id, g.from_seq, g.to_seq, NULL, $1
      FROM json_to_recordset($6::json) AS g (terminal_id text, from_seq bigint, to_seq bigint)
     WHERE g.terminal_id IN (SELECT terminal_id FROM moved)
  ), jobs AS (
    INSERT INTO outbox (topic, payload, created_at)
    SELECT j.topic, j.payload, $1
      FROM json_to_recordset($7::json) AS j (terminal_id text, topic text, payload jsonb)
     WHERE j.terminal_id IN (SELECT terminal_id FROM moved)
  )
  SELECT terminal_id FROM moved`;

const insertJson = (w: GroupWrite, row: RecordRow) => ({
  terminal_id: w.terminalId,
  operator_id: w.operatorId,
  ...recordColumns(row),
});

/**
 * A group of records posted alone, from different terminals, in one statement (its own
 * transaction, one commit): each terminal's new position only if its version is still the one
 * read (bumping it), and — only for the terminals whose position moved — their records,
 * conflicting copies, gaps and outbox jobs. Answers the terminals whose position moved; the
 * others wrote nothing and are checked again.
 */
export async function writeGroup(
  db: Queryable,
  at: { receivedAt: Date; businessDay: string },
  writes: readonly GroupWrite[],
): Promise<Set<string>> {
  const pick = <T>(f: (w: GroupWrite) => T | undefined): T[] =>
    writes.flatMap((w) => {
      const value = f(w);
      return value === undefined ? [] : [value];
    });
  // Named: each connection parses and plans the statement once.
  const { rows } = await db.query<{ terminal_id: string }>({
    name: 'gateway-ingest-group-write-v1',
    text: GROUP_WRITE_SQL,
    values: [
      at.receivedAt,
      at.businessDay,
      JSON.stringify(
        writes.map((w) => ({
          terminal_id: w.terminalId,
          highest_contiguous: w.highestContiguous,
          highest_seen: w.highestSeen,
          expected: w.expectedVersion,
        })),
      ),
      JSON.stringify(pick((w) => w.insert && insertJson(w, w.insert))),
      JSON.stringify(
        pick(
          (w) =>
            w.conflict && {
              terminal_id: w.terminalId,
              sequence: w.conflict.record.sequence,
              record: w.conflict.record,
              record_hash: w.conflict.hash,
            },
        ),
      ),
      JSON.stringify(
        pick((w) => w.gap && { terminal_id: w.terminalId, from_seq: w.gap.from, to_seq: w.gap.to }),
      ),
      JSON.stringify(pick((w) => w.outbox && { terminal_id: w.terminalId, ...w.outbox })),
    ],
  });
  return new Set(rows.map((r) => r.terminal_id));
}
