-- Clearing checks the card float each night against the shadow entries. Summing every entry ever
-- made costs the whole history; instead a night carries the totals it summed, with the snapshot
-- it summed them in, and the next adds only the entries that snapshot could not see. Each entry
-- therefore records the transaction that made it: an xid8 never wraps around, and
-- pg_visible_in_snapshot tells exactly whether a snapshot saw it, whatever order the writers
-- committed in.
ALTER TABLE shadow_balance_entries
  ADD COLUMN xact xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX shadow_entries_xact ON shadow_balance_entries (xact);

-- The entries not yet seen by clearing are recent ones: the check reads them by time. Entries are
-- appended roughly in the order of `at`, so a block range index finds them for almost nothing.
CREATE INDEX shadow_entries_at ON shadow_balance_entries USING brin (at)
  WITH (autosummarize = on);

-- Contract for clearing, extended at the end with the writing transaction.
CREATE OR REPLACE VIEW shadow_entry_contract AS
  SELECT e.card_id, c.card_number, e.kind, e.amount, e.at, e.reference, e.terminal_id, e.sequence,
         e.xact
    FROM shadow_balance_entries e
    JOIN cards c ON c.id = e.card_id;
