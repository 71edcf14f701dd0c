import type { Queryable } from '@citycard/core/db';
import type { ReconciliationSources } from './reconciliation.types.js';

/**
 * Counter gaps found by the chain pass, explained: confirmed loads and balance transfer credits
 * (issuance) and records of other business days that fill the gap are looked up per gap (few
 * rows, two index probes each). A gap
 * they fill exactly with chaining balances is no break; one filled by a record that arrived in a
 * later business day is a late upload; counters nothing fills are missing records; more events
 * than counters means a counter was used twice.
 */
export async function insertGaps(
  db: Queryable,
  sources: ReconciliationSources,
  recId: string,
  day: string,
): Promise<void> {
  await db.query(
    `WITH gaps AS (
       SELECT b.*, b.purse_counter - b.p_counter - 1 AS gap, l.n AS loads_n, l.total AS loads_total,
              o.n AS other_n, o.spent AS other_spent, o.last_day, o.last_received
         FROM recon_breaks b
         CROSS JOIN LATERAL (
           SELECT count(*) AS n, COALESCE(sum(l.amount), 0) AS total
             FROM ${sources.issuance}.loads_contract l
            WHERE l.card_number = b.card_number AND l.status IN ('confirmed', 'transfer_confirmed')
              AND l.purse_counter_after > b.p_counter AND l.purse_counter_after < b.purse_counter
         ) l
         CROSS JOIN LATERAL (
           SELECT count(DISTINCT a.purse_counter) AS n, COALESCE(sum(a.amount), 0) AS spent,
                  max(a.business_day) AS last_day, max(a.received_at) AS last_received
             FROM ${sources.gateway}.accepted_transactions_contract a
            WHERE a.card_number = b.card_number AND a.type <> 'card_blocked'
              AND a.purse_counter > b.p_counter AND a.purse_counter < b.purse_counter
         ) o
        WHERE b.purse_counter > b.p_counter + 1
     ), classified AS (
       SELECT g.*, g.gap - g.loads_n - g.other_n AS missing,
              CASE WHEN g.gap = 1 THEN format('Purse counter %s', g.p_counter + 1)
                   ELSE format('Purse counters %s to %s', g.p_counter + 1, g.purse_counter - 1)
              END AS counters,
              g.p_balance + g.loads_total - g.other_spent - g.balance_before AS unaccounted,
              CASE
                WHEN g.gap - g.loads_n - g.other_n > 0 THEN 'missing_record'
                WHEN g.gap - g.loads_n - g.other_n < 0 THEN 'suspected_clone'
                WHEN g.other_n > 0 AND g.last_day > $2::date THEN 'late_upload'
                WHEN g.p_balance + g.loads_total - g.other_spent <> g.balance_before
                  THEN 'balance_break'
              END AS kind
         FROM gaps g
     )
     INSERT INTO reconciliation_exceptions
       (reconciliation_id, business_day, kind, explanation, card_number, terminal_id, sequence,
        operator_id, purse_counter, amount, details)
     SELECT $1, $2::date, c.kind,
            CASE c.kind
              WHEN 'missing_record' THEN format(
                '%s: %s record(s) missing (no accepted record, confirmed load or transfer credit): '
                || 'not uploaded yet, quarantined or lost; they took %s off the card', c.counters,
                c.missing,
                c.unaccounted)
              WHEN 'suspected_clone' THEN format(
                'More records and loads than purse counters between %s and %s: a counter was '
                || 'used twice, a copy of the card is likely in use', c.p_counter, c.purse_counter)
              WHEN 'late_upload' THEN format(
                '%s uploaded late: received in business day %s', c.counters, c.last_day)
              ELSE format(
                'Balance before %s at purse counter %s does not follow the balance after %s of '
                || 'counter %s with %s load(s) of %s and %s record(s) between: %s %s with no '
                || 'record or load', c.balance_before, c.purse_counter, c.p_balance, c.p_counter,
                c.loads_n, c.loads_total, c.other_n, abs(c.unaccounted),
                CASE WHEN c.unaccounted < 0 THEN 'appeared' ELSE 'vanished' END)
            END,
            c.card_number, c.terminal_id, c.sequence, c.operator_id, c.purse_counter,
            -- A balance break is signed as the chain sees it (+ appeared), a gap by what it took.
            CASE c.kind WHEN 'balance_break' THEN -c.unaccounted ELSE c.unaccounted END,
            jsonb_build_object('fromCounter', c.p_counter + 1, 'toCounter', c.purse_counter - 1,
                               'missing', c.missing, 'loads', c.loads_n,
                               'loadsTotal', c.loads_total::text, 'otherRecords', c.other_n,
                               'otherLastDay', c.last_day, 'otherLastReceivedAt', c.last_received,
                               'previousTerminalId', c.p_terminal,
                               'previousSequence', c.p_sequence)
       FROM classified c
      WHERE c.kind IS NOT NULL`,
    [recId, day],
  );
}
