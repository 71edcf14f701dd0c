-- Top-ups (loads) written to the card by a reader agent, their attempts, and supervisor balance
-- corrections. A load's cash is in a drawer from the moment it is ordered; the shadow balance moves
-- only once the card is known to carry the money, and exactly once (see loads_shadow_once below).

-- The limits every load is checked against; one row, changed by an administrator.
CREATE TABLE load_limits (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  per_load_max numeric(18,2) NOT NULL CHECK (per_load_max > 0 AND per_load_max <= 21474836.47),
  -- Per card and Shanghai calendar day, counting every load not known to have failed.
  daily_max_per_card numeric(18,2) NOT NULL CHECK (daily_max_per_card > 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES staff (id)
);

INSERT INTO load_limits (per_load_max, daily_max_per_card) VALUES (1000.00, 2000.00);

CREATE TABLE loads (
  id uuid PRIMARY KEY,
  card_id uuid NOT NULL REFERENCES cards (id),
  amount numeric(18,2) NOT NULL CHECK (amount > 0 AND amount <= 21474836.47),
  -- pending: a plan is out; uncertain: the card left mid-write, the next read tells;
  -- confirmed: on the card and in the shadow balance; failed: certainly not on the card, the cash
  -- is kept for a retry; refunded: not on the card, the cash went back; review: the card moved on
  -- too far to tell, a supervisor decides.
  state text NOT NULL CHECK (state IN (
    'pending', 'uncertain', 'confirmed', 'failed', 'refunded', 'review'
  )),
  drawer_id uuid NOT NULL REFERENCES drawers (id),
  staff_id uuid NOT NULL REFERENCES staff (id),
  counter_id uuid REFERENCES counters (id),
  business_day date NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  request_id text NOT NULL
);

-- While a load may still land (or has been paid and not yet landed) the card takes no other.
CREATE UNIQUE INDEX loads_one_open_per_card ON loads (card_id)
  WHERE state IN ('pending', 'uncertain', 'failed');
CREATE INDEX loads_card_day ON loads (card_id, business_day);
CREATE INDEX loads_card_state ON loads (card_id, state);

-- One per plan handed out for a load: the purse it was built from and what became of it.
CREATE TABLE load_attempts (
  plan_id uuid PRIMARY KEY REFERENCES card_plans (id),
  load_id uuid NOT NULL REFERENCES loads (id),
  seq integer NOT NULL CHECK (seq >= 1),
  read_plan_id uuid NOT NULL REFERENCES card_plans (id),
  agent_id text NOT NULL CHECK (char_length(agent_id) BETWEEN 1 AND 200),
  -- The purse as the read showed it, and what the plan writes (int32 fen on the card).
  counter_before bigint NOT NULL CHECK (counter_before BETWEEN 0 AND 4294967294),
  balance_before numeric(18,2) NOT NULL CHECK (balance_before >= 0),
  balance_after numeric(18,2) NOT NULL CHECK (balance_after <= 21474836.47),
  -- The record block the guard read expects, hex.
  expect_record text NOT NULL CHECK (expect_record ~ '^[0-9A-F]{32}$'),
  history_at bigint NOT NULL,
  terminal_ref integer NOT NULL CHECK (terminal_ref BETWEEN 0 AND 65535),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Set once, by the plan's report (card_plans keeps the report itself and replays its answer).
  outcome text CHECK (outcome IN ('written', 'not_written', 'unknown')),
  reported_at timestamptz,
  CONSTRAINT load_attempts_seq UNIQUE (load_id, seq),
  CONSTRAINT load_attempts_after CHECK (balance_after > balance_before),
  CONSTRAINT load_attempts_report_complete CHECK ((outcome IS NULL) = (reported_at IS NULL))
);

-- Every state a load passed through, with who or what moved it and why.
CREATE TABLE load_events (
  load_id uuid NOT NULL REFERENCES loads (id),
  seq integer NOT NULL CHECK (seq >= 1),
  from_state text,
  to_state text NOT NULL,
  cause text NOT NULL CHECK (cause IN (
    'ordered', 'read_back', 'report', 'next_read', 'expired', 'retry', 'refund', 'supervisor'
  )),
  plan_id uuid,
  -- NULL when the system moved it (a read at some counter resolving it).
  staff_id uuid REFERENCES staff (id),
  note text CHECK (char_length(note) <= 500),
  request_id text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (load_id, seq),
  CONSTRAINT load_events_first CHECK ((cause = 'ordered') = (from_state IS NULL))
);

CREATE TRIGGER load_events_append_only
  BEFORE UPDATE OR DELETE ON load_events
  FOR EACH ROW EXECUTE FUNCTION cards_refuse_change();
CREATE TRIGGER load_events_no_truncate
  BEFORE TRUNCATE ON load_events
  FOR EACH STATEMENT EXECUTE FUNCTION cards_refuse_change();

-- A load's (or a correction's) shadow entry is written exactly once: the database refuses a second.
CREATE UNIQUE INDEX loads_shadow_once ON shadow_balance_entries (reference)
  WHERE kind = 'load' AND reference LIKE 'load:%';

-- Supervisor corrections move the shadow balance either way.
ALTER TABLE shadow_balance_entries DROP CONSTRAINT shadow_balance_entries_kind_check;
ALTER TABLE shadow_balance_entries ADD CONSTRAINT shadow_balance_entries_kind_check CHECK (
  kind IN ('load', 'debit', 'transfer_out', 'transfer_in', 'refund', 'correction')
);
ALTER TABLE shadow_balance_entries DROP CONSTRAINT shadow_balance_entries_sign;
ALTER TABLE shadow_balance_entries ADD CONSTRAINT shadow_balance_entries_sign CHECK (
  CASE
    WHEN kind IN ('load', 'transfer_in') THEN amount > 0
    WHEN kind = 'correction' THEN amount <> 0
    ELSE amount < 0
  END
);
CREATE UNIQUE INDEX corrections_shadow_once ON shadow_balance_entries (reference)
  WHERE kind = 'correction';

-- A correction of the shadow balance to what a card was read to hold: asked for by one supervisor,
-- applied only when a second one approves it (maker-checker), with the reason kept.
CREATE TABLE balance_corrections (
  id uuid PRIMARY KEY,
  card_id uuid NOT NULL REFERENCES cards (id),
  read_plan_id uuid NOT NULL REFERENCES card_plans (id),
  card_balance numeric(18,2) NOT NULL,
  purse_counter bigint NOT NULL CHECK (purse_counter >= 0),
  -- The shadow balance when asked: approval is refused if it moved since.
  shadow_balance numeric(18,2) NOT NULL,
  -- Signed: card_balance − shadow_balance.
  amount numeric(18,2) NOT NULL CHECK (amount <> 0 AND amount = card_balance - shadow_balance),
  reason text NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 500),
  state text NOT NULL CHECK (state IN ('requested', 'approved', 'rejected')),
  requested_by uuid NOT NULL REFERENCES staff (id),
  requested_at timestamptz NOT NULL,
  request_id text NOT NULL,
  decided_by uuid REFERENCES staff (id),
  decided_at timestamptz,
  decision_note text CHECK (char_length(decision_note) <= 500),
  CONSTRAINT balance_corrections_decided CHECK (
    (state = 'requested') = (decided_by IS NULL) AND (decided_by IS NULL) = (decided_at IS NULL)
  ),
  -- The one who asked may withdraw (reject) a request, never approve it.
  CONSTRAINT balance_corrections_four_eyes CHECK (state <> 'approved' OR decided_by <> requested_by)
);

CREATE UNIQUE INDEX balance_corrections_one_open ON balance_corrections (card_id)
  WHERE state = 'requested';

CREATE FUNCTION balance_corrections_decide_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.state = 'requested' AND NEW.state <> 'requested'
     AND (NEW.id, NEW.card_id, NEW.read_plan_id, NEW.card_balance, NEW.purse_counter,
          NEW.shadow_balance, NEW.amount, NEW.reason, NEW.requested_by, NEW.requested_at,
          NEW.request_id)
       IS NOT DISTINCT FROM
         (OLD.id, OLD.card_id, OLD.read_plan_id, OLD.card_balance, OLD.purse_counter,
          OLD.shadow_balance, OLD.amount, OLD.reason, OLD.requested_by, OLD.requested_at,
          OLD.request_id) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'balance_corrections are decided once and never changed: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER balance_corrections_guard
  BEFORE UPDATE OR DELETE ON balance_corrections
  FOR EACH ROW EXECUTE FUNCTION balance_corrections_decide_once();
