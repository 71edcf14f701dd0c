-- Reconciliation of a business day: terminal batch control totals against the stored records, each
-- card's purse counter and balance chain, and the counter cash drawers. A reconciliation is
-- evidence: it is never changed; reconciling the day again adds a new one, and the latest of a day
-- is the one that stands.

CREATE TABLE reconciliations (
  id uuid PRIMARY KEY,
  -- Commit order of a day's reconciliations: the highest is the one that stands.
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  business_day date NOT NULL,
  -- The clearing run it was made for, when it was made for one.
  run_id uuid REFERENCES runs (id),
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL CHECK (finished_at >= started_at),
  records_checked bigint NOT NULL CHECK (records_checked >= 0),
  batches_checked bigint NOT NULL CHECK (batches_checked >= 0),
  drawers_checked integer NOT NULL CHECK (drawers_checked >= 0),
  exception_count integer NOT NULL CHECK (exception_count >= 0),
  -- Exceptions per kind, e.g. {"suspected_clone": 2, "missing_record": 5}.
  by_kind jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX reconciliations_day ON reconciliations (business_day, seq DESC);
CREATE INDEX reconciliations_run ON reconciliations (run_id) WHERE run_id IS NOT NULL;

CREATE TABLE reconciliation_exceptions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Exceptions are written first and their reconciliation, with the counts, last.
  reconciliation_id uuid NOT NULL REFERENCES reconciliations (id) DEFERRABLE INITIALLY DEFERRED,
  business_day date NOT NULL,
  kind text NOT NULL CHECK (kind IN (
    'batch_total_mismatch', 'late_upload', 'missing_record', 'suspected_clone', 'balance_break',
    'drawer_long', 'drawer_short', 'drawer_open'
  )),
  -- What a finance user reads first: the break and its likely cause, in one or two sentences.
  explanation text NOT NULL CHECK (char_length(explanation) BETWEEN 1 AND 1000),
  card_number text,
  terminal_id text,
  sequence bigint,
  batch_seq bigint,
  operator_id text,
  drawer_id uuid,
  branch_id uuid,
  purse_counter bigint,
  -- The money the break is about (difference, missing amount, long/short), signed; NULL if none.
  amount numeric(18,2),
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX reconciliation_exceptions_rec ON reconciliation_exceptions (reconciliation_id, kind, id);
CREATE INDEX reconciliation_exceptions_card ON reconciliation_exceptions (card_number)
  WHERE card_number IS NOT NULL;

CREATE FUNCTION reconciliation_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER reconciliations_append_only
  BEFORE UPDATE OR DELETE ON reconciliations
  FOR EACH ROW EXECUTE FUNCTION reconciliation_refuse_change();
CREATE TRIGGER reconciliations_no_truncate
  BEFORE TRUNCATE ON reconciliations
  FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_refuse_change();
CREATE TRIGGER reconciliation_exceptions_append_only
  BEFORE UPDATE OR DELETE ON reconciliation_exceptions
  FOR EACH ROW EXECUTE FUNCTION reconciliation_refuse_change();
CREATE TRIGGER reconciliation_exceptions_no_truncate
  BEFORE TRUNCATE ON reconciliation_exceptions
  FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_refuse_change();
