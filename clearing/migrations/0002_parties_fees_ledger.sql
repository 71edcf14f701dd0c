-- Parties (the issuer and the operators it settles with), fee schedules and concession subsidy
-- rules, and the double-entry ledger. Money is numeric(18,2); rates are numeric(16,10) and travel
-- to the application as strings. Rules and ledger rows are evidence: append-only, a change is a
-- new version, a correction a new entry.

CREATE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Settlement data of a party, versioned: the highest version is in force. Operators are keyed by
-- the gateway's operator ids; the issuer is the one party of kind 'issuer'.
CREATE TABLE party_versions (
  party_id text NOT NULL CHECK (party_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  version integer NOT NULL CHECK (version >= 1),
  kind text NOT NULL CHECK (kind IN ('issuer', 'operator')),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
  bank_name text CHECK (char_length(bank_name) <= 120),
  bank_account_name text CHECK (char_length(bank_account_name) <= 120),
  bank_account_number text CHECK (bank_account_number ~ '^[0-9A-Za-z-]{4,40}$'),
  contact_name text CHECK (char_length(contact_name) <= 120),
  contact_email text CHECK (char_length(contact_email) <= 200),
  contact_phone text CHECK (char_length(contact_phone) <= 40),
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (party_id, version)
);

CREATE UNIQUE INDEX party_versions_one_issuer ON party_versions ((true))
  WHERE kind = 'issuer' AND version = 1;

CREATE VIEW parties AS
  SELECT DISTINCT ON (party_id) * FROM party_versions ORDER BY party_id, version DESC;

-- Per operator: a fixed fee per transaction, a daily minimum and maximum commission, in force
-- from effective_from (inclusive) to effective_to (exclusive). For a day the highest version in
-- force wins.
CREATE TABLE fee_schedules (
  id uuid PRIMARY KEY,
  operator_id text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  effective_from date NOT NULL,
  effective_to date CHECK (effective_to > effective_from),
  fixed_fee numeric(18,2) NOT NULL DEFAULT 0 CHECK (fixed_fee >= 0),
  daily_min numeric(18,2) CHECK (daily_min >= 0),
  daily_max numeric(18,2) CHECK (daily_max >= 0),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT fee_schedules_version UNIQUE (operator_id, version),
  CONSTRAINT fee_schedules_min_max CHECK (daily_min IS NULL OR daily_max IS NULL
    OR daily_min <= daily_max)
);

-- Commission rate per transaction type; '*' applies to every type without its own rate.
CREATE TABLE fee_rates (
  schedule_id uuid NOT NULL REFERENCES fee_schedules (id),
  transaction_type text NOT NULL CHECK (char_length(transaction_type) BETWEEN 1 AND 40),
  rate numeric(16,10) NOT NULL CHECK (rate >= 0 AND rate <= 1),
  PRIMARY KEY (schedule_id, transaction_type)
);

-- The issuer pays an operator back `rate` × the concession discounts it gave riders of a
-- category. operator_id NULL: every operator.
CREATE TABLE subsidy_rules (
  id uuid PRIMARY KEY,
  operator_id text,
  rider_category_id text NOT NULL CHECK (char_length(rider_category_id) BETWEEN 1 AND 64),
  version integer NOT NULL CHECK (version >= 1),
  rate numeric(16,10) NOT NULL CHECK (rate >= 0 AND rate <= 1),
  effective_from date NOT NULL,
  effective_to date CHECK (effective_to > effective_from),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX subsidy_rules_version
  ON subsidy_rules (COALESCE(operator_id, ''), rider_category_id, version);

-- Accounts. Amounts on postings are signed: a debit is positive, a credit negative, so an entry
-- balances when its postings sum to zero and a liability's balance is minus its sum.
CREATE TABLE accounts (
  code text PRIMARY KEY CHECK (code ~ '^[a-z_]+(:[A-Za-z0-9._-]{1,64})?$'),
  kind text NOT NULL CHECK (kind IN ('asset', 'liability', 'income', 'expense', 'suspense')),
  name text NOT NULL,
  party_id text,
  branch_id uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO accounts (code, kind, name) VALUES
  ('card_float', 'liability', 'Card float: stored value owed to cardholders'),
  ('deposit_liability', 'liability', 'Card deposits held'),
  ('loads_pending', 'liability', 'Cash taken for loads not yet on a card'),
  ('commission_revenue', 'income', 'Commission from operators'),
  ('concession_subsidy', 'expense', 'Concession subsidies paid to operators'),
  ('settlement_adjustments', 'expense', 'Corrections of earlier runs'),
  ('settlement_bank', 'asset', 'Settlement bank account'),
  ('suspense', 'suspense', 'Amounts awaiting explanation');

CREATE TABLE journal_entries (
  id uuid PRIMARY KEY,
  run_id uuid,
  -- What the entry records: card_transactions, commission, subsidy, adjustment, cash, loads,
  -- reversal, payment, …
  kind text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
  business_day date NOT NULL,
  description text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 300),
  -- A reversal names the entry it undoes; an entry is reversed at most once.
  reverses uuid UNIQUE REFERENCES journal_entries (id),
  created_at timestamptz NOT NULL
);

CREATE INDEX journal_entries_run ON journal_entries (run_id);

CREATE TABLE postings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id uuid NOT NULL REFERENCES journal_entries (id),
  account_code text NOT NULL REFERENCES accounts (code),
  amount numeric(18,2) NOT NULL CHECK (amount <> 0)
);

CREATE INDEX postings_entry ON postings (entry_id);
CREATE INDEX postings_account ON postings (account_code);

-- Checked at commit, once every posting of the entry is in: an entry balances to the fen and has
-- at least two postings, or the transaction fails.
CREATE FUNCTION check_entry_balances(entry uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  total numeric;
  lines integer;
BEGIN
  SELECT COALESCE(sum(amount), 0), count(*) INTO total, lines FROM postings WHERE entry_id = entry;
  IF total <> 0 OR lines < 2 THEN
    RAISE EXCEPTION 'journal entry % does not balance: % over % postings', entry, total, lines
      USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entry_balanced';
  END IF;
END;
$$;

CREATE FUNCTION postings_entry_balances() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM check_entry_balances(NEW.entry_id);
  RETURN NULL;
END;
$$;

CREATE FUNCTION journal_entry_balances() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM check_entry_balances(NEW.id);
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER postings_balanced
  AFTER INSERT ON postings DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION postings_entry_balances();

CREATE CONSTRAINT TRIGGER journal_entries_balanced
  AFTER INSERT ON journal_entries DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION journal_entry_balances();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['party_versions', 'fee_schedules', 'fee_rates', 'subsidy_rules',
                           'journal_entries', 'postings'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I
                    FOR EACH ROW EXECUTE FUNCTION refuse_change()', t || '_append_only', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()', t || '_no_truncate', t);
  END LOOP;
END;
$$;

-- Accounts are never removed or renamed once postings may name them.
CREATE TRIGGER accounts_append_only
  BEFORE UPDATE OR DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER accounts_no_truncate
  BEFORE TRUNCATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Balance of every account (debit positive).
CREATE VIEW account_balances AS
  SELECT a.code, a.kind, a.party_id, a.branch_id, COALESCE(sum(p.amount), 0)::numeric(18,2) AS balance
    FROM accounts a LEFT JOIN postings p ON p.account_code = a.code
   GROUP BY a.code;
