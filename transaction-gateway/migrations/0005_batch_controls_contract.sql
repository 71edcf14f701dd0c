-- Contracts for clearing's reconciliation of terminal batch control totals, which needs every
-- stored record (quarantined ones too) and every batch header as received.

-- Every batch as received: what its header declared (count, amount total, sequence range) and
-- how many conflicting copies were kept apart under it.
CREATE VIEW batch_controls_contract AS
  SELECT b.terminal_id, b.batch_seq, b.record_count, b.amount_total, b.received_at,
         (b.header ->> 'firstSequence')::bigint AS first_sequence,
         (b.header ->> 'lastSequence')::bigint AS last_sequence,
         (SELECT count(*) FROM record_conflicts c
           WHERE c.terminal_id = b.terminal_id AND c.batch_seq = b.batch_seq) AS conflicts
    FROM batches b;

-- Every stored record whatever its status, with the business day it was received in (a released
-- record counts in the day of its release: that is accepted_transactions_contract's business_day).
CREATE VIEW stored_records_contract AS
  SELECT terminal_id, sequence, batch_seq, operator_id, amount, status, occurred_at, received_at,
         business_day
    FROM transactions;

COMMENT ON VIEW batch_controls_contract IS
  'Contract (clearing): batch headers as received, with their declared control totals';
COMMENT ON VIEW stored_records_contract IS
  'Contract (clearing): every stored record, any status, with its day of receipt';
