-- Settlement of a run: the bank payment file it instructed, each confirmation the bank sent back
-- and how its lines matched, and the audit log of every settlement state change. The state itself
-- is runs.status (0003), moved only along the state machine its trigger enforces. Everything here
-- is evidence: append-only; a correction is an adjustment (0003) picked up by a later run.

-- One payment file per run, written when the run is instructed. content is the exact file handed
-- to the bank; its sha256 lets anyone prove which bytes were sent.
CREATE TABLE payment_files (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,63}$'),
  run_id uuid NOT NULL UNIQUE REFERENCES runs (id),
  business_day date NOT NULL,
  line_count integer NOT NULL CHECK (line_count >= 0),
  total numeric(18,2) NOT NULL,
  content text NOT NULL,
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  created_by text NOT NULL CHECK (char_length(created_by) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL
);

-- A negative amount is a collection: the operator owes the issuer on that day.
CREATE TABLE payment_lines (
  file_id text NOT NULL REFERENCES payment_files (id),
  line_no integer NOT NULL CHECK (line_no >= 1),
  operator_id text NOT NULL,
  account text NOT NULL,
  amount numeric(18,2) NOT NULL CHECK (amount <> 0),
  reference text NOT NULL UNIQUE,
  PRIMARY KEY (file_id, line_no)
);

-- Every confirmation imported, clean or not. The same bytes imported twice are one import.
-- accepted: finance took a confirmation with differences as final (the run is then settled and
-- each difference becomes an adjustment for the next run).
CREATE TABLE bank_confirmations (
  id uuid PRIMARY KEY,
  file_id text NOT NULL REFERENCES payment_files (id),
  bank_confirmation_id text NOT NULL CHECK (char_length(bank_confirmation_id) BETWEEN 1 AND 100),
  value_date text NOT NULL CHECK (char_length(value_date) <= 20),
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  clean boolean NOT NULL,
  accepted boolean NOT NULL,
  matched integer NOT NULL CHECK (matched >= 0),
  differences integer NOT NULL CHECK (differences >= 0),
  rejected integer NOT NULL CHECK (rejected >= 0),
  unmatched integer NOT NULL CHECK (unmatched >= 0),
  missing integer NOT NULL CHECK (missing >= 0),
  imported_by text NOT NULL CHECK (char_length(imported_by) BETWEEN 1 AND 100),
  imported_at timestamptz NOT NULL,
  CONSTRAINT bank_confirmations_once UNIQUE (file_id, content_sha256, accepted),
  CONSTRAINT bank_confirmations_clean CHECK (
    clean = (differences = 0 AND rejected = 0 AND unmatched = 0 AND missing = 0))
);

CREATE INDEX bank_confirmations_file ON bank_confirmations (file_id, imported_at);

CREATE TABLE confirmation_lines (
  confirmation_id uuid NOT NULL REFERENCES bank_confirmations (id),
  line_no integer NOT NULL CHECK (line_no >= 1),
  outcome text NOT NULL CHECK (outcome IN (
    'matched', 'difference', 'rejected', 'unmatched', 'missing'
  )),
  reference text NOT NULL,
  operator_id text,
  expected numeric(18,2),
  confirmed numeric(18,2),
  bank_reference text,
  PRIMARY KEY (confirmation_id, line_no),
  CONSTRAINT confirmation_lines_shape CHECK (
    (outcome = 'unmatched') = (expected IS NULL)
    AND (outcome = 'missing') = (confirmed IS NULL))
);

-- The settlement audit trail, hash-chained: each row's hash covers the previous row's hash, so a
-- row changed or removed afterwards breaks the chain. Writers take an advisory lock, so seq has
-- no gaps and each row links to the one committed before it.
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY CHECK (seq >= 1),
  at timestamptz NOT NULL,
  actor text NOT NULL CHECK (char_length(actor) BETWEEN 1 AND 100),
  action text NOT NULL CHECK (action ~ '^[a-z][a-z_.]{1,60}$'),
  run_id uuid REFERENCES runs (id),
  business_day date,
  from_status text,
  to_status text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);

CREATE INDEX audit_log_run ON audit_log (run_id, seq) WHERE run_id IS NOT NULL;
CREATE INDEX audit_log_day ON audit_log (business_day, seq) WHERE business_day IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['payment_files', 'payment_lines', 'bank_confirmations',
                           'confirmation_lines', 'audit_log'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I
                    FOR EACH ROW EXECUTE FUNCTION refuse_change()', t || '_append_only', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()', t || '_no_truncate', t);
  END LOOP;
END;
$$;
