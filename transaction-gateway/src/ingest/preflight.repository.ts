import type { Queryable } from '@citycard/core/db';
import type { Receipt } from '@citycard/terminal-sdk/protocol';
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

export interface PreflightInput {
  readonly issuanceSchema: string;
  readonly hotlist: HotlistCache;
  readonly terminalId: string;
  /** null for a record posted alone. */
  readonly batchSequence: number | null;
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
}

type HotlistJson = Omit<VersionedRow, 'created_at'> & { created_at: string };

interface PreflightRow {
  cards: ContractCard[];
  counters: TakenCounter[];
  hotlist: HotlistJson[];
  prior: { mac: string; receipt: Receipt } | null;
  terminal: CurrentTerminal | null;
}

/**
 * Everything an upload is checked against before its transaction, in one round trip: the cards,
 * the counted records under its purse counters, the hotlist versions added since the cache last
 * read, the batch already stored under its number, and the terminal's status and key now.
 */
export async function preflight(db: Queryable, input: PreflightInput): Promise<Preflight> {
  const { hotlist } = input;
  const since = await hotlist.since();
  // Named (per contract schema): each connection parses and plans the statement once.
  const { rows } = await db.query<PreflightRow>({
    name: `gateway-ingest-preflight-${input.issuanceSchema}`,
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
          FROM terminals t JOIN operators o ON o.id = t.operator_id WHERE t.id = $5) AS terminal`,
    values: [
      input.cardNumbers,
      input.counters.map((c) => c.record.cardNumber),
      input.counters.map((c) => c.record.purseCounter),
      since,
      input.terminalId,
      input.batchSequence,
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
  };
}
