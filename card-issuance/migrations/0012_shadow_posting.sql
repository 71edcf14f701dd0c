-- Terminal records in the shadow balance. Every purse movement the gateway accepted is posted to
-- its card once: a charge as a 'debit', the refund of a held fare (a transit_correction, amount
-- below zero on the record) as a 'fare_refund'. Records that move nothing (zero fares, blocked-card
-- records) are not posted. Clearing reads the result through shadow_entry_contract.

-- The gateway record behind a terminal entry, with the gateway's own key types.
ALTER TABLE shadow_balance_entries ADD COLUMN terminal_id text, ADD COLUMN sequence bigint;

ALTER TABLE shadow_balance_entries DROP CONSTRAINT shadow_balance_entries_kind_check;
ALTER TABLE shadow_balance_entries ADD CONSTRAINT shadow_balance_entries_kind_check CHECK (
  kind IN ('load', 'debit', 'transfer_out', 'transfer_in', 'refund', 'correction', 'fare_refund')
);
ALTER TABLE shadow_balance_entries DROP CONSTRAINT shadow_balance_entries_sign;
ALTER TABLE shadow_balance_entries ADD CONSTRAINT shadow_balance_entries_sign CHECK (
  CASE
    WHEN kind IN ('load', 'transfer_in', 'fare_refund') THEN amount > 0
    WHEN kind = 'correction' THEN amount <> 0
    ELSE amount < 0
  END
);
ALTER TABLE shadow_balance_entries ADD CONSTRAINT shadow_balance_entries_terminal CHECK (
  (terminal_id IS NULL) = (sequence IS NULL)
  AND (terminal_id IS NULL OR kind IN ('debit', 'fare_refund'))
  AND (kind <> 'fare_refund' OR terminal_id IS NOT NULL)
);

-- A card that spent more than was ever loaded onto it is a clone (or a load still unresolved):
-- the terminals' debits are evidence and are recorded whatever they leave. Money the back office
-- itself pays out or moves away still never takes a balance below zero; an increase may leave it
-- below zero when the card was there already, since refusing it would lose a real movement.
ALTER TABLE shadow_balance_entries DROP CONSTRAINT shadow_balance_entries_balance_after_check;
ALTER TABLE shadow_balance_entries ADD CONSTRAINT shadow_balance_entries_balance_after_check CHECK (
  balance_after >= 0 OR kind IN ('debit', 'fare_refund') OR amount > 0
);

-- Exactly once per gateway record, whatever posts it and however often.
CREATE UNIQUE INDEX shadow_entries_terminal_once ON shadow_balance_entries (terminal_id, sequence)
  WHERE terminal_id IS NOT NULL;

-- Each card's latest entry, kept by the entries' own inserts: the per-card LATERAL that
-- shadow_balances used costs one index descent per card, and the float check sums every card.
CREATE TABLE shadow_balance_heads (
  card_id uuid PRIMARY KEY REFERENCES cards (id),
  last_seq integer NOT NULL CHECK (last_seq >= 1),
  balance numeric(18,2) NOT NULL
) WITH (fillfactor = 70);  -- room on the page, so moving a head is an in-place (HOT) update

INSERT INTO shadow_balance_heads (card_id, last_seq, balance)
SELECT DISTINCT ON (card_id) card_id, seq, balance_after
  FROM shadow_balance_entries
 ORDER BY card_id, seq DESC;

-- One upsert per statement, so a posting of many entries moves each card's head once.
CREATE FUNCTION shadow_balance_heads_follow() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO shadow_balance_heads AS h (card_id, last_seq, balance)
  SELECT DISTINCT ON (n.card_id) n.card_id, n.seq, n.balance_after
    FROM new_entries n
   ORDER BY n.card_id, n.seq DESC
  ON CONFLICT (card_id) DO UPDATE
    SET last_seq = excluded.last_seq, balance = excluded.balance
    WHERE h.last_seq < excluded.last_seq;
  RETURN NULL;
END;
$$;

CREATE TRIGGER shadow_balance_entries_heads
  AFTER INSERT ON shadow_balance_entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION shadow_balance_heads_follow();

CREATE OR REPLACE VIEW shadow_balances AS
  SELECT c.id AS card_id, COALESCE(h.balance, 0.00)::numeric(18,2) AS balance,
         COALESCE(h.last_seq, 0) AS last_seq
    FROM cards c
    LEFT JOIN shadow_balance_heads h ON h.card_id = c.id;

-- How far the poster has read the gateway's accepted records: every record accepted before
-- accepted_through (and committed by then) is posted or noted. Each pass reads again a look-back
-- before it, for records whose transaction committed after the pass; a periodic sweep with a
-- far longer look-back catches any later still.
CREATE TABLE shadow_posting_cursor (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  accepted_through timestamptz,
  last_sweep_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO shadow_posting_cursor (id) VALUES (true);

-- Accepted records the poster could not post, noted once so they are not read again.
-- unknown_card: no issued card has the number (a forged or mistyped card; never guessed at).
CREATE TABLE shadow_posting_exceptions (
  terminal_id text NOT NULL,
  sequence bigint NOT NULL,
  card_number text NOT NULL,
  amount numeric(18,2) NOT NULL,
  accepted_at timestamptz NOT NULL,
  reason text NOT NULL CHECK (reason IN ('unknown_card')),
  noted_at timestamptz NOT NULL,
  PRIMARY KEY (terminal_id, sequence)
);

CREATE TRIGGER shadow_posting_exceptions_append_only
  BEFORE UPDATE OR DELETE ON shadow_posting_exceptions
  FOR EACH ROW EXECUTE FUNCTION cards_refuse_change();
CREATE TRIGGER shadow_posting_exceptions_no_truncate
  BEFORE TRUNCATE ON shadow_posting_exceptions
  FOR EACH STATEMENT EXECUTE FUNCTION cards_refuse_change();

-- Contract for clearing: every shadow entry, signed (+ into the purse, − out of it). A terminal
-- entry names its gateway record; its `at` is the record's accepted_at, the instant clearing
-- takes it by.
CREATE VIEW shadow_entry_contract AS
  SELECT e.card_id, c.card_number, e.kind, e.amount, e.at, e.reference, e.terminal_id, e.sequence
    FROM shadow_balance_entries e
    JOIN cards c ON c.id = e.card_id;
