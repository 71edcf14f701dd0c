-- Terminals and their credentials, batch ingest, quarantine and the outbox. Money is numeric(18,2).
-- Evidence is append-only: transactions (except the quarantine status columns), conflicting
-- copies, batches, skipped ranges, sequence gaps and audit events refuse UPDATE and DELETE.

CREATE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TABLE operators (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
  kind text NOT NULL CHECK (kind IN ('transit', 'retail')),
  -- The u16 the card keeps for the operator (fare set operators[].code).
  card_code integer NOT NULL UNIQUE CHECK (card_code BETWEEN 1 AND 65535),
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE terminals (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  operator_id text NOT NULL REFERENCES operators (id),
  status text NOT NULL DEFAULT 'registered'
    CHECK (status IN ('registered', 'enrolled', 'disabled', 'retired')),
  description text CHECK (char_length(description) <= 200),
  cert_serial text,
  cert_fingerprint text,
  certificate_pem text,
  -- sha256 of the CSR that enrolled the terminal: the same CSR again gets the same answer.
  csr_fingerprint text,
  mac_key_id text CHECK (mac_key_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  -- The 16-byte MAC key sealed with core seal() under the gateway KEK (aad: terminal id).
  mac_key_sealed text,
  device jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  enrolled_at timestamptz,
  disabled_at timestamptz,
  retired_at timestamptz,
  CONSTRAINT terminals_enrolled_has_key CHECK (
    status <> 'enrolled' OR (mac_key_sealed IS NOT NULL AND mac_key_id IS NOT NULL
      AND certificate_pem IS NOT NULL AND enrolled_at IS NOT NULL)
  )
);

CREATE INDEX terminals_operator ON terminals (operator_id);

-- Only the sha256 of a token is kept; the token itself is shown once, when it is made.
CREATE TABLE enrolment_tokens (
  token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  operator_id text NOT NULL REFERENCES operators (id),
  terminal_id text NOT NULL REFERENCES terminals (id),
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  csr_fingerprint text,
  CONSTRAINT enrolment_tokens_used CHECK ((used_at IS NULL) = (csr_fingerprint IS NULL))
);

CREATE INDEX enrolment_tokens_terminal ON enrolment_tokens (terminal_id);

-- Where each terminal's upload stands; its row is locked while a batch of the terminal is written,
-- so one terminal's batches are answered one at a time.
CREATE TABLE terminal_ingest_state (
  terminal_id text PRIMARY KEY REFERENCES terminals (id),
  -- Every sequence 1…n is stored or declared skipped.
  highest_contiguous bigint NOT NULL DEFAULT 0 CHECK (highest_contiguous >= 0),
  highest_seen bigint NOT NULL DEFAULT 0 CHECK (highest_seen >= highest_contiguous),
  last_batch_sequence bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE batches (
  terminal_id text NOT NULL REFERENCES terminals (id),
  batch_seq bigint NOT NULL CHECK (batch_seq >= 1),
  mac text NOT NULL,
  header jsonb NOT NULL,
  record_count integer NOT NULL,
  amount_total numeric(18,2) NOT NULL,
  -- The answer given; the identical batch again gets it back with replayed: true.
  receipt jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (terminal_id, batch_seq)
);

CREATE TABLE transactions (
  terminal_id text NOT NULL,
  sequence bigint NOT NULL CHECK (sequence >= 1),
  -- NULL for a record posted alone (POST /v1/transactions).
  batch_seq bigint,
  type text NOT NULL,
  card_number text NOT NULL,
  uid text NOT NULL,
  purse_counter bigint NOT NULL,
  amount numeric(18,2) NOT NULL,
  balance_before numeric(18,2) NOT NULL,
  balance_after numeric(18,2) NOT NULL,
  occurred_at timestamptz NOT NULL,
  -- occurredAt as the terminal wrote it (offset included), so the record rebuilds byte for byte.
  occurred_at_text text NOT NULL,
  operator_id text NOT NULL,
  location jsonb NOT NULL,
  fare jsonb,
  mac text NOT NULL,
  -- sha256 of the record's canonical bytes without its MAC: "identical" across key rotations.
  record_hash text NOT NULL,
  received_at timestamptz NOT NULL,
  business_day date NOT NULL,
  status text NOT NULL CHECK (status IN ('accepted', 'quarantined', 'released', 'rejected')),
  reason text,
  -- Set when a quarantined record is released or rejected (maker-checker, quarantine_decisions).
  resolved_at timestamptz,
  resolved_business_day date,
  PRIMARY KEY (terminal_id, sequence),
  CONSTRAINT transactions_reason CHECK ((status = 'accepted') = (reason IS NULL)),
  CONSTRAINT transactions_resolved CHECK (
    (status IN ('released', 'rejected')) = (resolved_at IS NOT NULL AND resolved_business_day IS NOT NULL)
  )
);

CREATE INDEX transactions_card_counter ON transactions (card_number, purse_counter);
CREATE INDEX transactions_business_day ON transactions (business_day) WHERE status = 'accepted';
CREATE INDEX transactions_quarantined ON transactions (received_at) WHERE status = 'quarantined';

-- A record is evidence: only a quarantined record's status may change, once, to released or
-- rejected; nothing else about it ever changes.
CREATE FUNCTION transactions_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.status = 'quarantined' AND NEW.status IN ('released', 'rejected')
     AND (to_jsonb(NEW) - 'status' - 'resolved_at' - 'resolved_business_day')
       = (to_jsonb(OLD) - 'status' - 'resolved_at' - 'resolved_business_day') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'transactions is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER transactions_append_only
  BEFORE UPDATE OR DELETE ON transactions
  FOR EACH ROW EXECUTE FUNCTION transactions_guard();
CREATE TRIGGER transactions_no_truncate
  BEFORE TRUNCATE ON transactions
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- A different record sent under a (terminal, sequence) already stored: kept apart, never counted.
CREATE TABLE record_conflicts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  terminal_id text NOT NULL,
  sequence bigint NOT NULL,
  batch_seq bigint,
  record jsonb NOT NULL,
  record_hash text NOT NULL,
  received_at timestamptz NOT NULL,
  UNIQUE (terminal_id, sequence, record_hash)
);

-- Sequences a terminal declared reserved and never used (a crash before writing them).
CREATE TABLE skipped_sequences (
  terminal_id text NOT NULL,
  from_seq bigint NOT NULL,
  to_seq bigint NOT NULL CHECK (to_seq >= from_seq),
  batch_seq bigint NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (terminal_id, from_seq)
);

-- Sequences missing when a later one arrived: noted, never a reason to refuse.
CREATE TABLE sequence_gaps (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  terminal_id text NOT NULL,
  from_seq bigint NOT NULL,
  to_seq bigint NOT NULL CHECK (to_seq >= from_seq),
  batch_seq bigint,
  noted_at timestamptz NOT NULL
);

CREATE INDEX sequence_gaps_terminal ON sequence_gaps (terminal_id, from_seq);

-- Maker-checker on quarantined records: a finance user proposes, another approves. The only
-- change a row takes is its approval, once.
CREATE TABLE quarantine_decisions (
  id uuid PRIMARY KEY,
  terminal_id text NOT NULL,
  sequence bigint NOT NULL,
  action text NOT NULL CHECK (action IN ('release', 'reject')),
  note text NOT NULL CHECK (char_length(note) BETWEEN 1 AND 500),
  proposed_by uuid NOT NULL,
  proposed_by_username text NOT NULL,
  proposed_at timestamptz NOT NULL,
  approved_by uuid,
  approved_by_username text,
  approved_at timestamptz,
  FOREIGN KEY (terminal_id, sequence) REFERENCES transactions (terminal_id, sequence),
  CONSTRAINT quarantine_decisions_approval CHECK (
    (approved_by IS NULL) = (approved_at IS NULL) AND (approved_by IS NULL) = (approved_by_username IS NULL)
  ),
  CONSTRAINT quarantine_decisions_two_people CHECK (approved_by IS NULL OR approved_by <> proposed_by)
);

CREATE UNIQUE INDEX quarantine_decisions_one_open
  ON quarantine_decisions (terminal_id, sequence) WHERE approved_at IS NULL;

CREATE FUNCTION quarantine_decisions_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.approved_at IS NULL AND NEW.approved_at IS NOT NULL
     AND (to_jsonb(NEW) - 'approved_by' - 'approved_by_username' - 'approved_at')
       = (to_jsonb(OLD) - 'approved_by' - 'approved_by_username' - 'approved_at') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'quarantine_decisions: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER quarantine_decisions_append_only
  BEFORE UPDATE OR DELETE ON quarantine_decisions
  FOR EACH ROW EXECUTE FUNCTION quarantine_decisions_guard();

CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id uuid,
  actor_username text,
  action text NOT NULL,
  subject text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id text
);

-- Post-processing jobs written in the ingest transaction; the relay moves them to the queue.
CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  relayed_at timestamptz
);

CREATE INDEX outbox_pending ON outbox (id) WHERE relayed_at IS NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['batches', 'record_conflicts', 'skipped_sequences', 'sequence_gaps',
                           'audit_events'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I
                    FOR EACH ROW EXECUTE FUNCTION refuse_change()', t || '_append_only', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()', t || '_no_truncate', t);
  END LOOP;
END;
$$;

-- Contract for clearing: every record that counts, with when it was received and the business day
-- it counts in (the day it was received, or for a released record the day it was released).
CREATE VIEW accepted_transactions_contract AS
  SELECT terminal_id, sequence, batch_seq, type, card_number, uid, purse_counter, amount,
         balance_before, balance_after, occurred_at, operator_id, location, fare, mac,
         received_at,
         COALESCE(resolved_at, received_at) AS accepted_at,
         COALESCE(resolved_business_day, business_day) AS business_day,
         status = 'released' AS released
    FROM transactions
   WHERE status IN ('accepted', 'released');
