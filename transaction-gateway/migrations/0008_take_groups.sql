-- Clearing's take groups the records since its last run by operator, type, rider category,
-- terminal and block of 1,024 sequences (clearing/src/run/take-transactions.ts): a few groups per
-- terminal a day. Estimated from each column's own distinct count, those groups look as many as
-- the records (a terminal has one operator, and its blocks are its own), so the planner fed every
-- record to one aggregating process. The combined count lets each parallel worker aggregate its
-- share and hand on a few thousand groups. Kept up by ANALYZE, as the columns' own statistics are.
CREATE STATISTICS transactions_take_groups (ndistinct)
  ON operator_id, type, (fare ->> 'riderCategoryId'), terminal_id, (sequence >> 10)
  FROM transactions;
ANALYZE transactions;
