-- Branches, their counters, and the cash drawer a clerk keeps for one shift at one counter.
-- Money is numeric(18,2). Cash movements are evidence: append-only, a correction is a new row.
-- A drawer row changes exactly once, when it is closed; after that it is frozen.

CREATE TABLE branches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,15}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  address text CHECK (char_length(address) <= 300),
  created_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz CHECK (closed_at >= created_at)
);

CREATE TABLE counters (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  branch_id uuid NOT NULL REFERENCES branches (id),
  code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,15}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT counters_code_per_branch UNIQUE (branch_id, code),
  -- Lets a drawer name its counter and branch together, so the two can never disagree.
  CONSTRAINT counters_id_branch UNIQUE (id, branch_id)
);

ALTER TABLE staff
  ADD CONSTRAINT staff_branch_fk FOREIGN KEY (branch_id) REFERENCES branches (id);

CREATE TABLE drawers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  staff_id uuid NOT NULL REFERENCES staff (id),
  counter_id uuid NOT NULL,
  branch_id uuid NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  opening_float numeric(18,2) NOT NULL CHECK (opening_float >= 0),
  closed_at timestamptz,
  counted_cash numeric(18,2) CHECK (counted_cash >= 0),
  expected_cash numeric(18,2),
  -- counted − expected: positive is long (more cash than recorded), negative is short.
  difference numeric(18,2),
  closed_by uuid REFERENCES staff (id),
  -- The last movement the close counted: corrections after it show beside the close, not in it.
  closing_seq int CHECK (closing_seq >= 0),
  note text CHECK (char_length(note) <= 500),
  CONSTRAINT drawers_counter_fk FOREIGN KEY (counter_id, branch_id)
    REFERENCES counters (id, branch_id),
  CONSTRAINT drawers_closed_complete CHECK (
    (closed_at IS NULL) = (counted_cash IS NULL)
    AND (closed_at IS NULL) = (expected_cash IS NULL)
    AND (closed_at IS NULL) = (difference IS NULL)
    AND (closed_at IS NULL) = (closed_by IS NULL)
    AND (closed_at IS NULL) = (closing_seq IS NULL)
  ),
  CONSTRAINT drawers_difference CHECK (difference = counted_cash - expected_cash),
  CONSTRAINT drawers_closed_after_open CHECK (closed_at >= opened_at)
);

CREATE UNIQUE INDEX drawers_one_open_per_staff ON drawers (staff_id) WHERE closed_at IS NULL;
CREATE UNIQUE INDEX drawers_one_open_per_counter ON drawers (counter_id) WHERE closed_at IS NULL;
CREATE INDEX drawers_branch_opened ON drawers (branch_id, opened_at);
CREATE INDEX drawers_opened ON drawers (opened_at);

CREATE FUNCTION drawers_close_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'drawers are kept: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.closed_at IS NOT NULL THEN
    RAISE EXCEPTION 'drawer % is closed: correct it with a movement', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.staff_id, NEW.counter_id, NEW.branch_id, NEW.opened_at, NEW.opening_float)
     IS DISTINCT FROM
     (OLD.id, OLD.staff_id, OLD.counter_id, OLD.branch_id, OLD.opened_at, OLD.opening_float) THEN
    RAISE EXCEPTION 'drawer % may only be closed, not changed', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER drawers_guard
  BEFORE UPDATE OR DELETE ON drawers
  FOR EACH ROW EXECUTE FUNCTION drawers_close_once();

CREATE TRIGGER drawers_no_truncate
  BEFORE TRUNCATE ON drawers
  FOR EACH STATEMENT EXECUTE FUNCTION drawers_close_once();

CREATE TABLE cash_movements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  drawer_id uuid NOT NULL REFERENCES drawers (id),
  -- 1, 2, 3 … within a drawer, given out under the drawer's row lock: no gaps, no ties.
  seq int NOT NULL CHECK (seq > 0),
  kind text NOT NULL CHECK (kind IN (
    'deposit_taken', 'deposit_refunded', 'top_up_cash', 'balance_refunded', 'float', 'correction'
  )),
  -- Signed as the drawer sees it: positive into the drawer, negative paid out.
  amount numeric(18,2) NOT NULL,
  reference_type text NOT NULL CHECK (char_length(reference_type) BETWEEN 1 AND 40),
  reference_id text NOT NULL CHECK (char_length(reference_id) BETWEEN 1 AND 100),
  staff_id uuid NOT NULL REFERENCES staff (id),
  request_id text NOT NULL,
  note text CHECK (char_length(note) <= 500),
  at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT cash_movements_seq UNIQUE (drawer_id, seq),
  CONSTRAINT cash_movements_sign CHECK (
    amount <> 0 AND CASE kind
      WHEN 'deposit_taken' THEN amount > 0
      WHEN 'top_up_cash' THEN amount > 0
      WHEN 'deposit_refunded' THEN amount < 0
      WHEN 'balance_refunded' THEN amount < 0
      ELSE true
    END
  )
);

CREATE INDEX cash_movements_reference ON cash_movements (reference_type, reference_id);

CREATE FUNCTION cash_movements_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'cash_movements is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER cash_movements_append_only
  BEFORE UPDATE OR DELETE ON cash_movements
  FOR EACH ROW EXECUTE FUNCTION cash_movements_refuse_change();

CREATE TRIGGER cash_movements_no_truncate
  BEFORE TRUNCATE ON cash_movements
  FOR EACH STATEMENT EXECUTE FUNCTION cash_movements_refuse_change();

-- The application checks this under the drawer's row lock and answers with a code; the trigger
-- keeps any other writer honest. Only a supervisor's correction may follow a close.
CREATE FUNCTION cash_movements_open_drawer_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind <> 'correction'
     AND (SELECT closed_at FROM drawers WHERE id = NEW.drawer_id) IS NOT NULL THEN
    RAISE EXCEPTION 'drawer % is closed', NEW.drawer_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER cash_movements_open_drawer
  BEFORE INSERT ON cash_movements
  FOR EACH ROW EXECUTE FUNCTION cash_movements_open_drawer_only();
