-- Products (card types), card stock, cards and their lifecycle, the back office's shadow balance,
-- and the hotlist. Money is numeric(18,2). Every table that is evidence (state changes, balance
-- entries, hotlist) is append-only: a correction is a new row.

CREATE FUNCTION cards_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TABLE products (
  code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,31}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
  -- Digits 5-6 of every card number of this product.
  product_digits text NOT NULL UNIQUE CHECK (product_digits ~ '^[0-9]{2}$'),
  deposit numeric(18,2) NOT NULL CHECK (deposit >= 0),
  -- A MIFARE value block holds int32 fen, so no purse can go beyond 21 474 836.47.
  max_balance numeric(18,2) NOT NULL CHECK (max_balance >= 0 AND max_balance <= 21474836.47),
  -- What the fare engine reads to pick the concession for this card type.
  concession_ref text NOT NULL CHECK (char_length(concession_ref) BETWEEN 1 AND 64),
  validity_years integer NOT NULL CHECK (validity_years BETWEEN 1 AND 30),
  active boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO products (code, name, product_digits, deposit, max_balance, concession_ref, validity_years)
VALUES
  ('standard', 'Standard', '01', 20.00, 1000.00, 'FULL', 10),
  ('student', 'Student', '02', 20.00, 1000.00, 'STUDENT', 6),
  ('senior', 'Senior', '03', 0.00, 1000.00, 'SENIOR', 10),
  ('disabled', 'Disabled', '04', 0.00, 1000.00, 'DISABLED', 10),
  ('staff', 'Staff', '05', 0.00, 1000.00, 'STAFF', 5);

-- Contract for the fare engine and the gateway: which concession each card type gets.
CREATE VIEW product_contract AS
  SELECT code, product_digits, concession_ref, max_balance, active FROM products;

CREATE TABLE stock_batches (
  id uuid PRIMARY KEY,
  imported_by uuid NOT NULL REFERENCES staff (id),
  line_count integer NOT NULL CHECK (line_count > 0),
  request_id text NOT NULL,
  at timestamptz NOT NULL
);

-- Card serials: digits 7-15 of a card number. Never reused, gaps are harmless.
CREATE SEQUENCE card_serial AS bigint MINVALUE 1 MAXVALUE 999999999 NO CYCLE;

CREATE TABLE cards (
  id uuid PRIMARY KEY,
  -- 4- or 7-byte MIFARE UID, upper-case hex.
  uid text NOT NULL UNIQUE CHECK (uid ~ '^([0-9A-F]{8}|[0-9A-F]{14})$'),
  batch_id uuid REFERENCES stock_batches (id),
  imported_at timestamptz NOT NULL,
  card_number text UNIQUE CHECK (card_number ~ '^[0-9]{16}$'),
  product_code text REFERENCES products (code),
  cardholder_id uuid REFERENCES cardholders (id),
  state text NOT NULL CHECK (state IN ('stock', 'personalised', 'active', 'frozen', 'lost_reported',
    'blocked', 'replaced', 'refunded', 'cancelled', 'expired')),
  -- The deposit that came with the card at issue (in cash, or carried from the card it replaces).
  -- Whether it is still held follows from the state; the amount itself never changes.
  deposit numeric(18,2) NOT NULL DEFAULT 0 CHECK (deposit >= 0),
  issued_at timestamptz,
  expires_on date,
  replaces uuid UNIQUE REFERENCES cards (id),
  replaced_by uuid UNIQUE REFERENCES cards (id),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  updated_at timestamptz NOT NULL,
  CONSTRAINT cards_stock_unissued CHECK (
    state <> 'stock' OR (card_number IS NULL AND cardholder_id IS NULL AND deposit = 0)
  ),
  CONSTRAINT cards_issued_complete CHECK (
    state IN ('stock', 'cancelled') OR (card_number IS NOT NULL AND product_code IS NOT NULL
      AND cardholder_id IS NOT NULL AND issued_at IS NOT NULL AND expires_on IS NOT NULL)
  ),
  CONSTRAINT cards_replaced_has_successor CHECK ((state = 'replaced') = (replaced_by IS NOT NULL))
);

CREATE INDEX cards_cardholder ON cards (cardholder_id) WHERE cardholder_id IS NOT NULL;

CREATE TABLE card_state_changes (
  card_id uuid NOT NULL REFERENCES cards (id),
  seq integer NOT NULL CHECK (seq >= 1),
  -- NULL only for the row that records the card's arrival in stock.
  from_state text,
  to_state text NOT NULL,
  command text NOT NULL CHECK (command IN ('import', 'issue', 'activate', 'freeze', 'unfreeze',
    'report_lost', 'block', 'replace', 'refund', 'cancel', 'expire')),
  reason text CHECK (char_length(reason) BETWEEN 1 AND 200),
  -- NULL when the system, not a member of staff, made the change (expiry).
  staff_id uuid REFERENCES staff (id),
  request_id text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (card_id, seq),
  CONSTRAINT card_state_changes_import CHECK ((command = 'import') = (from_state IS NULL))
);

CREATE TRIGGER card_state_changes_append_only
  BEFORE UPDATE OR DELETE ON card_state_changes
  FOR EACH ROW EXECUTE FUNCTION cards_refuse_change();
CREATE TRIGGER card_state_changes_no_truncate
  BEFORE TRUNCATE ON card_state_changes
  FOR EACH STATEMENT EXECUTE FUNCTION cards_refuse_change();

-- The back office's own view of each purse: loads minus debits it has seen. Amounts are signed
-- (+ load, transfer_in; − debit, transfer_out, refund) and every row carries the result.
CREATE TABLE shadow_balance_entries (
  card_id uuid NOT NULL REFERENCES cards (id),
  seq integer NOT NULL CHECK (seq >= 1),
  kind text NOT NULL CHECK (kind IN ('load', 'debit', 'transfer_out', 'transfer_in', 'refund')),
  amount numeric(18,2) NOT NULL,
  balance_after numeric(18,2) NOT NULL CHECK (balance_after >= 0),
  reference text NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 200),
  at timestamptz NOT NULL,
  PRIMARY KEY (card_id, seq),
  CONSTRAINT shadow_balance_entries_sign CHECK (
    CASE WHEN kind IN ('load', 'transfer_in') THEN amount > 0 ELSE amount < 0 END
  )
);

CREATE TRIGGER shadow_balance_entries_append_only
  BEFORE UPDATE OR DELETE ON shadow_balance_entries
  FOR EACH ROW EXECUTE FUNCTION cards_refuse_change();
CREATE TRIGGER shadow_balance_entries_no_truncate
  BEFORE TRUNCATE ON shadow_balance_entries
  FOR EACH STATEMENT EXECUTE FUNCTION cards_refuse_change();

-- Every card, with 0.00 for one that has no entry yet.
CREATE VIEW shadow_balances AS
  SELECT c.id AS card_id, COALESCE(e.balance_after, 0.00)::numeric(18,2) AS balance,
         COALESCE(e.seq, 0) AS last_seq
  FROM cards c
  LEFT JOIN LATERAL (
    SELECT balance_after, seq FROM shadow_balance_entries s
    WHERE s.card_id = c.id ORDER BY s.seq DESC LIMIT 1
  ) e ON true;

-- A replaced card's balance waits here for the hold period: late offline debits may still
-- arrive for it. Released once, by moving whatever balance the old card has by then.
CREATE TABLE balance_transfers (
  id uuid PRIMARY KEY,
  from_card_id uuid NOT NULL UNIQUE REFERENCES cards (id),
  to_card_id uuid NOT NULL REFERENCES cards (id),
  hold_until timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  released_at timestamptz,
  released_amount numeric(18,2) CHECK (released_amount >= 0),
  released_by uuid REFERENCES staff (id),
  CONSTRAINT balance_transfers_release_complete CHECK (
    (released_at IS NULL) = (released_amount IS NULL)
  )
);

CREATE INDEX balance_transfers_pending ON balance_transfers (to_card_id) WHERE released_at IS NULL;

CREATE FUNCTION balance_transfers_release_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.released_at IS NULL AND NEW.released_at IS NOT NULL
     AND NEW.id = OLD.id AND NEW.from_card_id = OLD.from_card_id
     AND NEW.to_card_id = OLD.to_card_id AND NEW.hold_until = OLD.hold_until
     AND NEW.created_at = OLD.created_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'balance_transfers rows are only ever released, once: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER balance_transfers_guard
  BEFORE UPDATE OR DELETE ON balance_transfers
  FOR EACH ROW EXECUTE FUNCTION balance_transfers_release_once();

-- Versioned hotlist: terminals apply entries in version order, the last one per card wins.
CREATE TABLE hotlist (
  version bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  card_id uuid NOT NULL REFERENCES cards (id),
  -- NULL for a blank card cancelled straight from stock: terminals match it by UID.
  card_number text CHECK (card_number ~ '^[0-9]{16}$'),
  uid text NOT NULL,
  action text NOT NULL CHECK (action IN ('add', 'remove')),
  reason text NOT NULL CHECK (reason IN ('frozen', 'unfrozen', 'lost', 'blocked', 'replaced',
    'refunded', 'cancelled')),
  at timestamptz NOT NULL
);

CREATE INDEX hotlist_card ON hotlist (card_id, version);

CREATE TRIGGER hotlist_append_only
  BEFORE UPDATE OR DELETE ON hotlist
  FOR EACH ROW EXECUTE FUNCTION cards_refuse_change();
CREATE TRIGGER hotlist_no_truncate
  BEFORE TRUNCATE ON hotlist
  FOR EACH STATEMENT EXECUTE FUNCTION cards_refuse_change();

-- Contract for the transaction gateway: it reads `WHERE version > $since ORDER BY version` and
-- serves terminals the delta.
CREATE VIEW hotlist_contract AS
  SELECT version, card_number, uid, action, reason, at AS created_at FROM hotlist;
