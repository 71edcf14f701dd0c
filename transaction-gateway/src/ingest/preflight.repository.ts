import type { Queryable } from '@citycard/core/db';
import type { Receipt } from '@citycard/terminal-sdk/protocol';
import type { CurrentTerminal } from '../terminals/index.js';
import type { IngestState } from './ingest.repository.js';
import {
  TAKEN_COUNTERS_SQL,
  cardsSql,
  type ContractCard,
  type CounterKey,
  type HotlistCache,
  type TakenCounter,
  type VersionedRow,
} from '../verification/index.js';

export interface PreflightInput {
  readonly issuanceSchema: string;
  readonly hotlist: HotlistCache;
  readonly terminalId: string;
  /** null for a record posted alone. */
  readonly batchSequence: number | null;
  /** The upload's records, in increasing order. */
  readonly sequences: readonly number[];
  readonly cardNumbers: readonly string[];
  readonly counters: readonly CounterKey[];
}

export interface Preflight {
  cards: Map<string, ContractCard>;
  taken: TakenCounter[];
  /** The batch already stored under this number, if any. */
  prior: { mac: string; receipt: Receipt } | null;
  /** The terminal's row now (null: gone). */
  terminal: CurrentTerminal | null;
  /** Where the terminal's uploads stand, with the version a write must find unchanged. */
  state: IngestState;
  /** record_hash of each of the upload's sequences already stored (at most its highest seen). */
  existing: Map<number, string>;
}

type HotlistJson = Omit<VersionedRow, 'created_at'> & { created_at: string };

interface PreflightRow {
  cards: ContractCard[];
  counters: TakenCounter[];
  hotlist: HotlistJson[];
  prior: { mac: string; receipt: Receipt } | null;
  terminal: CurrentTerminal | null;
  state: { highest_contiguous: string; highest_seen: string; version: string } | null;
  existing: [string, string][];
}

// Between the upload's first and last sequence, so the primary key bounds the scan to them.
const EXISTING_SQL = `
  SELECT t.sequence::text, t.record_hash FROM transactions t
   WHERE t.terminal_id = $5 AND t.sequence >= $7 AND t.sequence <= $8
     AND t.sequence <= (SELECT s.highest_seen FROM terminal_ingest_state s WHERE s.terminal_id = $5)
     AND t.sequence = ANY($9::bigint[])`;

/**
 * Everything an upload is checked against before its write, in one round trip and one snapshot:
 * the cards, the counted records under its purse counters, the hotlist versions added since the
 * cache last read, the batch already stored under its number, the terminal's status and key now,
 * its position and version, and the copies of its records already stored.
 */
export async function preflight(db: Queryable, input: PreflightInput): Promise<Preflight> {
  const { hotlist } = input;
  const since = await hotlist.since();
  // Named (per contract schema): each connection parses and plans the statement once.
  const { rows } = await db.query<PreflightRow>({
    name: `gateway-ingest-preflight-v2-${input.issuanceSchema}`,
    text: `SELECT
       (SELECT coalesce(json_agg(c), '[]') FROM (${cardsSql(input.issuanceSchema, '$1')}) c)
         AS cards,
       (SELECT coalesce(json_agg(k), '[]') FROM (${TAKEN_COUNTERS_SQL('$2', '$3')}) k)
         AS counters,
       (SELECT coalesce(json_agg(h ORDER BY h.version::bigint), '[]')
          FROM (${hotlist.deltaSql('$4')}) h) AS hotlist,
       (SELECT json_build_object('mac', b.mac, 'receipt', b.receipt)
          FROM batches b WHERE b.terminal_id = $5 AND b.batch_seq = $6) AS prior,
       (SELECT json_build_object('status', t.status, 'operator_enabled', o.enabled,
                                 'mac_key_sealed', t.mac_key_sealed)
          FROM terminals t JOIN operators o ON o.id = t.operator_id WHERE t.id = $5) AS terminal,
       (SELECT json_build_object('highest_contiguous', s.highest_contiguous::text,
                                 'highest_seen', s.highest_seen::text, 'version', s.version::text)
          FROM terminal_ingest_state s WHERE s.terminal_id = $5) AS state,
       (SELECT coalesce(json_agg(json_build_array(e.sequence, e.record_hash)), '[]')
          FROM (${EXISTING_SQL}) e) AS existing`,
    values: [
      input.cardNumbers,
      input.counters.map((c) => c.record.cardNumber),
      input.counters.map((c) => c.record.purseCounter),
      since,
      input.terminalId,
      input.batchSequence,
      input.sequences[0] ?? 0,
      input.sequences.at(-1) ?? 0,
      input.sequences,
    ],
  });
  const row = rows[0];
  if (row === undefined) throw new Error('the preflight read returned nothing');
  hotlist.apply(row.hotlist.map((h) => ({ ...h, created_at: new Date(h.created_at) })));
  return {
    cards: new Map(row.cards.map((c) => [c.card_number, c])),
    taken: row.counters,
    prior: row.prior,
    terminal: row.terminal,
    state: {
      highestContiguous: Number(row.state?.highest_contiguous ?? 0),
      highestSeen: Number(row.state?.highest_seen ?? 0),
      version: row.state?.version ?? '0',
    },
    existing: new Map(row.existing.map(([sequence, hash]) => [Number(sequence), hash])),
  };
}
