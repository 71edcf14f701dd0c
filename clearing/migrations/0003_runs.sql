-- Clearing runs, their lines, and what each run cleared. A run is written in one transaction.
-- The cleared_* tables make clearing exactly-once across runs: a key is in at most one of them,
-- and leaves only when its run is superseded by a rerun or aborted (its entries are reversed in
-- the same transaction).

CREATE TABLE runs (
  id uuid PRIMARY KEY,
  business_day date NOT NULL,
  status text NOT NULL CHECK (status IN (
    'computed', 'approved', 'instructed', 'settled', 'aborted', 'superseded'
  )),
  cutoff timestamptz NOT NULL,
  started_by text NOT NULL CHECK (char_length(started_by) BETWEEN 1 AND 100),
  started_at timestamptz NOT NULL,
  input_hash text NOT NULL CHECK (input_hash ~ '^[0-9a-f]{64}$'),
  output_hash text NOT NULL CHECK (output_hash ~ '^[0-9a-f]{64}$'),
  rule_versions jsonb NOT NULL,
  transaction_count bigint NOT NULL,
  total_gross numeric(18,2) NOT NULL,
  total_commission numeric(18,2) NOT NULL,
  total_subsidy numeric(18,2) NOT NULL,
  total_net numeric(18,2) NOT NULL,
  float_ledger numeric(18,2) NOT NULL,
  float_shadow numeric(18,2) NOT NULL,
  float_ok boolean NOT NULL,
  -- Cash, loads and deposits the run posted (IssuanceTotals).
  issuance jsonb NOT NULL,
  supersedes uuid REFERENCES runs (id),
  status_changed_at timestamptz NOT NULL
);

-- One run per day that counts; aborted and superseded runs stay as evidence beside it.
CREATE UNIQUE INDEX runs_one_live_per_day ON runs (business_day)
  WHERE status NOT IN ('aborted', 'superseded');
CREATE INDEX runs_day ON runs (business_day, started_at);

-- Only the status moves, along the settlement state machine.
CREATE FUNCTION runs_status_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND (to_jsonb(NEW) - 'status' - 'status_changed_at') = (to_jsonb(OLD) - 'status' - 'status_changed_at')
     AND (OLD.status, NEW.status) IN (
       ('computed', 'approved'), ('computed', 'aborted'), ('computed', 'superseded'),
       ('approved', 'instructed'), ('approved', 'aborted'), ('instructed', 'settled'),
       ('aborted', 'superseded')
     ) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'run %: % from % refused', OLD.id, TG_OP, OLD.status
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER runs_guard BEFORE UPDATE OR DELETE ON runs
  FOR EACH ROW EXECUTE FUNCTION runs_status_only();
CREATE TRIGGER runs_no_truncate BEFORE TRUNCATE ON runs
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE run_lines (
  run_id uuid NOT NULL REFERENCES runs (id),
  operator_id text NOT NULL,
  count bigint NOT NULL,
  gross numeric(18,2) NOT NULL,
  commission numeric(18,2) NOT NULL,
  subsidy numeric(18,2) NOT NULL,
  adjustments numeric(18,2) NOT NULL,
  net numeric(18,2) NOT NULL CHECK (net = gross + subsidy + adjustments - commission),
  late_count bigint NOT NULL,
  late_gross numeric(18,2) NOT NULL,
  fee_schedule_id uuid,
  fee_schedule_version integer,
  PRIMARY KEY (run_id, operator_id)
);

CREATE TABLE run_type_lines (
  run_id uuid NOT NULL REFERENCES runs (id),
  operator_id text NOT NULL,
  transaction_type text NOT NULL,
  count bigint NOT NULL,
  gross numeric(18,2) NOT NULL,
  commission numeric(18,2) NOT NULL,
  PRIMARY KEY (run_id, operator_id, transaction_type)
);

CREATE TABLE run_subsidies (
  run_id uuid NOT NULL REFERENCES runs (id),
  operator_id text NOT NULL,
  rider_category_id text NOT NULL,
  count bigint NOT NULL,
  discount numeric(18,2) NOT NULL,
  rate numeric(16,10) NOT NULL,
  subsidy numeric(18,2) NOT NULL,
  PRIMARY KEY (run_id, operator_id, rider_category_id)
);

CREATE TABLE run_positions (
  run_id uuid NOT NULL REFERENCES runs (id),
  party_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('issuer', 'operator')),
  position numeric(18,2) NOT NULL,
  PRIMARY KEY (run_id, party_id)
);

-- Corrections of earlier runs, written by settlement; the next run picks each up exactly once.
-- amount is signed: positive, the issuer owes the operator more.
CREATE TABLE adjustments (
  id uuid PRIMARY KEY,
  operator_id text NOT NULL,
  amount numeric(18,2) NOT NULL CHECK (amount <> 0),
  reason text NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 500),
  source_run_id uuid REFERENCES runs (id),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE cleared_transactions (
  terminal_id text NOT NULL,
  sequence bigint NOT NULL,
  run_id uuid NOT NULL,
  -- Of an earlier business day than the run's: a late arrival.
  late boolean NOT NULL,
  PRIMARY KEY (terminal_id, sequence)
);
CREATE INDEX cleared_transactions_run ON cleared_transactions (run_id);

CREATE TABLE cleared_cash_movements (
  movement_id uuid PRIMARY KEY,
  run_id uuid NOT NULL
);
CREATE INDEX cleared_cash_movements_run ON cleared_cash_movements (run_id);

CREATE TABLE cleared_loads (
  load_id uuid PRIMARY KEY,
  run_id uuid NOT NULL
);
CREATE INDEX cleared_loads_run ON cleared_loads (run_id);

CREATE TABLE cleared_adjustments (
  adjustment_id uuid PRIMARY KEY REFERENCES adjustments (id),
  run_id uuid NOT NULL
);
CREATE INDEX cleared_adjustments_run ON cleared_adjustments (run_id);

-- A cleared key leaves only with its run: once the run is superseded or aborted. Checked per
-- statement, so freeing millions of keys costs one look-up, not one per row.
CREATE FUNCTION cleared_release_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    RAISE EXCEPTION '% rows never change: % refused', TG_TABLE_NAME, TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF EXISTS (
    SELECT 1 FROM (SELECT DISTINCT run_id FROM gone) g JOIN runs r ON r.id = g.run_id
     WHERE r.status NOT IN ('aborted', 'superseded')
  ) THEN
    RAISE EXCEPTION '% of a live run cannot be released', TG_TABLE_NAME
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END;
$$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cleared_transactions', 'cleared_cash_movements', 'cleared_loads',
                           'cleared_adjustments'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS gone
                    FOR EACH STATEMENT EXECUTE FUNCTION cleared_release_guard()',
                   t || '_release', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I
                    FOR EACH ROW EXECUTE FUNCTION cleared_release_guard()', t || '_frozen', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()', t || '_no_truncate', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['run_lines', 'run_type_lines', 'run_subsidies', 'run_positions',
                           'adjustments'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I
                    FOR EACH ROW EXECUTE FUNCTION refuse_change()', t || '_append_only', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()', t || '_no_truncate', t);
  END LOOP;
END;
$$;
