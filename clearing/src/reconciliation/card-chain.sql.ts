import type { Queryable } from '@citycard/core/db';
import type { CarryPlan } from './chain-carry.sql.js';
import type { ReconciliationSources } from './reconciliation.types.js';

/**
 * `alias.business_day = day` on the gateway's accepted records, spelled in the columns behind it
 * so the gateway's day indexes answer it: the view's business_day is an expression, which none does.
 */
const ofDay = (alias: string, day: string): string =>
  `((${alias}.received_business_day = ${day} AND ${alias}.resolved_business_day IS NULL)
     OR ${alias}.resolved_business_day = ${day})`;

/**
 * Each card's purse counter and balance chain over the day's accepted records, in one window pass
 * ordered by purse counter. Only the breaks are kept: a row whose counter does not follow the
 * previous one by exactly one, or whose balance before is not the previous balance after. A card's
 * first record of the day is linked to its latest earlier record, so a break across the day
 * boundary is seen too: with last night's carry, its tail (one hash join for all cards), and only
 * when the day's first counter is not above the tail (a late record of an earlier day) or without
 * a carry, an index probe on card and counter. A card_blocked record writes no purse (its counter
 * is the one before), so it is no link of the chain. When the plan writes the carry, the same pass
 * gives each card's last record of the day, merged with last night's tails into tonight's slot.
 */
export async function collectChainBreaks(
  db: Queryable,
  sources: ReconciliationSources,
  day: string,
  carry: CarryPlan,
): Promise<void> {
  const tx = `${sources.gateway}.accepted_transactions_contract`;
  // The window sorts and lags only what the chain needs; the few breaks fetch the rest: their own
  // record by primary key, the record before them by card and counter. A statement that writes
  // may not sort in parallel: the window pass goes first, alone.
  await db.query(
    `CREATE TEMP TABLE recon_chain ON COMMIT DROP AS
       SELECT * FROM (
         SELECT t.card_number, t.purse_counter, t.balance_before, t.balance_after, t.terminal_id,
                t.sequence,
                lag(t.purse_counter) OVER w AS prev_counter,
                lag(t.balance_after) OVER w AS prev_balance,
                lead(t.purse_counter) OVER w IS NULL AS last
           FROM ${tx} t
          WHERE ${ofDay('t', '$1::date')} AND t.type <> 'card_blocked'
         WINDOW w AS (PARTITION BY t.card_number
                      ORDER BY t.purse_counter, t.received_at, t.terminal_id, t.sequence)
       ) w
       -- Only a card's first and last records and the breaks go on: the rest chain by
       -- construction.
       WHERE w.prev_counter IS NULL OR w.purse_counter <> w.prev_counter + 1
          OR w.balance_before <> w.prev_balance OR ($2 AND w.last)`,
    [day, carry.write],
  );
  await db.query(
    `CREATE TEMP TABLE recon_breaks ON COMMIT DROP AS
     WITH chain AS NOT MATERIALIZED (
       SELECT * FROM recon_chain
     ), carry AS (
       SELECT * FROM card_chain_tails WHERE $1 AND slot = $3::smallint
     ), tonight AS (
       INSERT INTO card_chain_tails (slot, card_number, purse_counter, balance_after, terminal_id,
                                     sequence)
       SELECT $4::smallint, COALESCE(d.card_number, k.card_number),
              CASE WHEN x.day THEN d.purse_counter ELSE k.purse_counter END,
              CASE WHEN x.day THEN d.balance_after ELSE k.balance_after END,
              CASE WHEN x.day THEN d.terminal_id ELSE k.terminal_id END,
              CASE WHEN x.day THEN d.sequence ELSE k.sequence END
         FROM (SELECT * FROM chain WHERE $2 AND last) d
         FULL JOIN carry k ON k.card_number = d.card_number
         CROSS JOIN LATERAL (
           SELECT d.card_number IS NOT NULL
                  AND (k.card_number IS NULL OR d.purse_counter > k.purse_counter) AS day
         ) x
        WHERE $2
     ), breaks AS MATERIALIZED (
       SELECT * FROM (
         SELECT c.card_number, c.purse_counter, c.balance_before, c.terminal_id, c.sequence,
                c.prev_counter IS NOT NULL AS in_day,
                CASE WHEN c.prev_counter IS NOT NULL THEN c.prev_counter
                     WHEN k.purse_counter < c.purse_counter THEN k.purse_counter
                     ELSE p.purse_counter END AS p_counter,
                CASE WHEN c.prev_counter IS NOT NULL THEN c.prev_balance
                     WHEN k.purse_counter < c.purse_counter THEN k.balance_after
                     ELSE p.balance_after END AS p_balance,
                -- The record before an in-day break is looked up below (few rows, an index probe
                -- each), not carried through the window for every record.
                CASE WHEN c.prev_counter IS NOT NULL THEN NULL
                     WHEN k.purse_counter < c.purse_counter THEN k.terminal_id
                     ELSE p.terminal_id END AS p_terminal,
                CASE WHEN c.prev_counter IS NOT NULL THEN NULL
                     WHEN k.purse_counter < c.purse_counter THEN k.sequence
                     ELSE p.sequence END AS p_sequence
           FROM (
             SELECT * FROM chain w
              WHERE w.prev_counter IS NULL OR w.purse_counter <> w.prev_counter + 1
                 OR w.balance_before <> w.prev_balance
           ) c
           LEFT JOIN carry k ON c.prev_counter IS NULL AND k.card_number = c.card_number
           LEFT JOIN LATERAL (
             SELECT a.purse_counter, a.balance_after, a.terminal_id, a.sequence
               FROM ${tx} a
              WHERE c.prev_counter IS NULL AND (NOT $1 OR k.purse_counter >= c.purse_counter)
                AND a.type <> 'card_blocked'
                AND a.card_number = c.card_number AND a.purse_counter < c.purse_counter
              ORDER BY a.purse_counter DESC
              LIMIT 1
           ) p ON true
       ) b
       WHERE b.p_counter IS NOT NULL
         AND (b.purse_counter <> b.p_counter + 1 OR b.balance_before <> b.p_balance)
     )
     SELECT b.card_number, t.uid, b.purse_counter, t.amount, b.balance_before, b.terminal_id,
            b.sequence, t.operator_id, t.received_at, b.p_counter, b.p_balance,
            COALESCE(q.uid, pt.uid) AS p_uid, COALESCE(q.terminal_id, b.p_terminal) AS p_terminal,
            COALESCE(q.sequence, b.p_sequence) AS p_sequence
       FROM breaks b
       -- By primary key, whatever the planner guesses of the breaks' number: they are few.
       CROSS JOIN LATERAL (
         SELECT t.uid, t.amount, t.operator_id, t.received_at FROM ${tx} t
          WHERE t.terminal_id = b.terminal_id AND t.sequence = b.sequence LIMIT 1
       ) t
       -- The record just before an in-day break in the window's order: under the previous
       -- counter, and before this record among the repeats of its own counter.
       LEFT JOIN LATERAL (
         SELECT q.terminal_id, q.sequence, q.uid FROM ${tx} q
          WHERE b.in_day AND q.card_number = b.card_number AND q.purse_counter = b.p_counter
            AND q.business_day = $5::date AND q.type <> 'card_blocked'
            AND (b.p_counter < b.purse_counter
                 OR (q.received_at, q.terminal_id, q.sequence)
                    < (t.received_at, b.terminal_id, b.sequence))
          ORDER BY q.received_at DESC, q.terminal_id DESC, q.sequence DESC
          LIMIT 1
       ) q ON true
       LEFT JOIN LATERAL (
         SELECT pt.uid FROM ${tx} pt
          WHERE NOT b.in_day AND pt.terminal_id = b.p_terminal AND pt.sequence = b.p_sequence
          LIMIT 1
       ) pt ON true`,
    [carry.read, carry.write, carry.readSlot, carry.writeSlot, day],
  );
  await db.query('DROP TABLE recon_chain');
  await db.query('ANALYZE recon_breaks');
}

/** A purse counter spent more than once: one exception per card, its repeats in the details. */
export async function insertClones(db: Queryable, recId: string, day: string): Promise<void> {
  await db.query(
    `INSERT INTO reconciliation_exceptions
       (reconciliation_id, business_day, kind, explanation, card_number, terminal_id, sequence,
        operator_id, purse_counter, amount, details)
     SELECT $1, $2::date, 'suspected_clone',
            format('Purse counter %s spent %s more time(s)%s: the purse exists twice, a copy of '
                   || 'the card is likely in use', r.counters, r.n,
                   CASE WHEN u.n > 1 THEN format(', under uids %s', u.list) ELSE '' END),
            r.card_number, r.terminal_id, r.sequence, r.operator_id, r.purse_counter, r.amount,
            jsonb_build_object('repeats', r.repeats)
       FROM (
         SELECT card_number, count(*) AS n, string_agg(DISTINCT purse_counter::text, ', ') AS counters,
                array_agg(uid) || array_agg(p_uid) AS uids, min(terminal_id) AS terminal_id,
                min(sequence) AS sequence, min(operator_id) AS operator_id,
                min(purse_counter) AS purse_counter, sum(amount) AS amount,
                jsonb_agg(jsonb_build_object(
                  'purseCounter', purse_counter, 'terminalId', terminal_id, 'sequence', sequence,
                  'uid', uid, 'amount', amount::text, 'earlierTerminalId', p_terminal,
                  'earlierSequence', p_sequence, 'earlierUid', p_uid)
                  ORDER BY purse_counter, received_at) AS repeats
           FROM recon_breaks
          WHERE purse_counter = p_counter
          GROUP BY card_number
       ) r
       CROSS JOIN LATERAL (
         SELECT count(DISTINCT x) AS n, string_agg(DISTINCT x, ', ') AS list FROM unnest(r.uids) x
       ) u`,
    [recId, day],
  );
}

/**
 * Consecutive counters whose balances do not chain. A card with a repeated counter is left out:
 * its breaks are the clone's, already reported.
 */
export async function insertBalanceBreaks(
  db: Queryable,
  recId: string,
  day: string,
): Promise<void> {
  await db.query(
    `INSERT INTO reconciliation_exceptions
       (reconciliation_id, business_day, kind, explanation, card_number, terminal_id, sequence,
        operator_id, purse_counter, amount, details)
     SELECT $1, $2::date, 'balance_break',
            format('Balance before %s at purse counter %s does not follow the balance after %s '
                   || 'of counter %s: %s %s with no record or load', b.balance_before,
                   b.purse_counter, b.p_balance, b.p_counter, abs(b.balance_before - b.p_balance),
                   CASE WHEN b.balance_before > b.p_balance THEN 'appeared' ELSE 'vanished' END),
            b.card_number, b.terminal_id, b.sequence, b.operator_id, b.purse_counter,
            b.balance_before - b.p_balance,
            jsonb_build_object('previousTerminalId', b.p_terminal, 'previousSequence', b.p_sequence,
                               'previousBalanceAfter', b.p_balance::text)
       FROM recon_breaks b
      WHERE b.purse_counter = b.p_counter + 1
        AND NOT EXISTS (SELECT 1 FROM recon_breaks r
                         WHERE r.card_number = b.card_number AND r.purse_counter = r.p_counter)`,
    [recId, day],
  );
}
