import type { Queryable } from '@citycard/core/db';
import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';

export interface CounterKey {
  readonly record: TransactionRecord;
  readonly hash: string;
}

/** The records whose counters are checked (a blocking record carries the card's last counter). */
export function counterCandidates(
  records: readonly TransactionRecord[],
  hashes: readonly string[],
): CounterKey[] {
  return records
    .map((record, i) => ({ record, hash: hashes[i] ?? '' }))
    .filter(({ record }) => record.type !== 'card_blocked');
}

/** A counted record holding a (card, counter) pair, as stored. */
export interface TakenCounter {
  card_number: string;
  purse_counter: string;
  record_hash: string;
}

/**
 * Counted records under the candidates' (card, counter) pairs: the SQL, for use on its own or
 * inside a larger read. A blocking record repeats the counter of the card's last tap, so it holds
 * no counter of its own (as in the transactions_counter_once index): the last tap, uploaded later
 * by an offline terminal, is not a replay of it.
 */
export const TAKEN_COUNTERS_SQL = (cards: string, counters: string): string =>
  `SELECT t.card_number, t.purse_counter::text AS purse_counter, t.record_hash
     FROM transactions t
     JOIN unnest(${cards}::text[], ${counters}::bigint[]) AS k (card_number, purse_counter)
       ON t.card_number = k.card_number AND t.purse_counter = k.purse_counter
    WHERE t.status IN ('accepted', 'released') AND t.type <> 'card_blocked'`;

/**
 * Sequences of the records whose card and purse counter are already taken by another counted
 * record (from any terminal), or by an earlier record of the same upload: a card writes each
 * counter value once, so a second record under it is a replay or a clone. Counters are not
 * compared for order: offline terminals upload in any order, so a lower counter arriving late is
 * normal.
 */
export function replaysAmong(
  candidates: readonly CounterKey[],
  rows: readonly TakenCounter[],
): Set<number> {
  const taken = new Map<string, string>();
  for (const row of rows) taken.set(`${row.card_number}:${row.purse_counter}`, row.record_hash);
  const replays = new Set<number>();
  for (const { record, hash } of candidates) {
    const key = `${record.cardNumber}:${record.purseCounter}`;
    const holder = taken.get(key);
    // The same record again is a duplicate, not a replay: ingest answers it as such.
    if (holder !== undefined && holder !== hash) replays.add(record.sequence);
    else if (holder === undefined) taken.set(key, hash);
  }
  return replays;
}

/** replaysAmong, reading the stored counters itself. */
export async function counterReplays(
  db: Queryable,
  records: readonly TransactionRecord[],
  hashes: readonly string[],
): Promise<Set<number>> {
  const candidates = counterCandidates(records, hashes);
  if (candidates.length === 0) return new Set();
  const { rows } = await db.query<TakenCounter>(TAKEN_COUNTERS_SQL('$1', '$2'), [
    candidates.map((c) => c.record.cardNumber),
    candidates.map((c) => c.record.purseCounter),
  ]);
  return replaysAmong(candidates, rows);
}
