-- Clearing reads a day's records, or the records since its last run, out of a table that keeps
-- every day: by received_at (the take since the last run) and by business_day (the day's
-- reconciliation). Records are appended in the order they are received, so one block range index
-- on both columns finds a day's pages for a few bytes per 128 pages, and costs an insert almost
-- nothing. A released record counts by the day it was released: the two partial indexes hold only
-- the resolved records, a handful a day, and cost the other inserts one predicate.
CREATE INDEX transactions_received_ranges ON transactions
  USING brin (received_at, business_day) WITH (autosummarize = on);
CREATE INDEX transactions_resolved_at ON transactions (resolved_at)
  WHERE resolved_at IS NOT NULL;
CREATE INDEX transactions_resolved_day ON transactions (resolved_business_day)
  WHERE resolved_business_day IS NOT NULL;

-- The contract gains the columns behind accepted_at and business_day, so a reader can ask for a
-- range of either in terms the indexes above answer:
--   accepted_at  >= x  ⇔  received_at >= x OR resolved_at >= x
--   business_day  = d  ⇔  (received_business_day = d AND resolved_business_day IS NULL)
--                         OR resolved_business_day = d
CREATE OR REPLACE VIEW accepted_transactions_contract AS
  SELECT terminal_id, sequence, batch_seq, type, card_number, uid, purse_counter, amount,
         balance_before, balance_after, occurred_at, operator_id, location, fare, mac,
         received_at,
         COALESCE(resolved_at, received_at) AS accepted_at,
         COALESCE(resolved_business_day, business_day) AS business_day,
         status = 'released' AS released,
         business_day AS received_business_day,
         resolved_at,
         resolved_business_day
    FROM transactions
   WHERE status IN ('accepted', 'released');

-- A day's batch headers, by the same token.
CREATE INDEX batches_received_ranges ON batches USING brin (received_at) WITH (autosummarize = on);
