-- Card master keys, reader agents, and the card plans handed to them. Master keys are kept only
-- sealed (AES-256-GCM under the platform key-encryption key, bound to version, sector and key
-- type); plans keep the spec they were built from and never the keys they carried.

CREATE FUNCTION keys_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- One row per key version. A version is added by rotation and never changed or removed: cards in
-- the field keep carrying it until they are re-keyed.
CREATE TABLE card_key_versions (
  version smallint PRIMARY KEY CHECK (version BETWEEN 1 AND 255),
  -- Scheme-wide identifier bound into every diversification (4 bytes, hex).
  system_id text NOT NULL CHECK (system_id ~ '^[0-9a-f]{8}$'),
  -- Which key-encryption key sealed this version's keys, for re-sealing after a KEK change.
  kek_id text NOT NULL CHECK (char_length(kek_id) BETWEEN 1 AND 64),
  created_at timestamptz NOT NULL,
  note text CHECK (char_length(note) BETWEEN 1 AND 200)
);

CREATE TABLE card_master_keys (
  version smallint NOT NULL REFERENCES card_key_versions (version),
  -- 'sector:<0-15>:<A|B>' or 'purse_mac'.
  slot text NOT NULL CHECK (slot ~ '^(sector:([0-9]|1[0-5]):[AB]|purse_mac)$'),
  sealed text NOT NULL CHECK (sealed LIKE 'v1.%'),
  PRIMARY KEY (version, slot)
);

CREATE TRIGGER card_key_versions_append_only
  BEFORE UPDATE OR DELETE ON card_key_versions
  FOR EACH ROW EXECUTE FUNCTION keys_refuse_change();
CREATE TRIGGER card_key_versions_no_truncate
  BEFORE TRUNCATE ON card_key_versions
  FOR EACH STATEMENT EXECUTE FUNCTION keys_refuse_change();
CREATE TRIGGER card_master_keys_append_only
  BEFORE UPDATE OR DELETE ON card_master_keys
  FOR EACH ROW EXECUTE FUNCTION keys_refuse_change();
CREATE TRIGGER card_master_keys_no_truncate
  BEFORE TRUNCATE ON card_master_keys
  FOR EACH STATEMENT EXECUTE FUNCTION keys_refuse_change();

-- A reader agent is the daemon beside one counter's reader; its id is the subject id of its
-- client certificate ('reader-agent' role).
CREATE TABLE reader_agents (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
  counter_id uuid NOT NULL REFERENCES counters (id),
  enabled boolean NOT NULL DEFAULT true,
  created_by uuid NOT NULL REFERENCES staff (id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE INDEX reader_agents_counter ON reader_agents (counter_id);

-- What a card carries: layout and key version, and how far its personalisation got. Sectors
-- listed in keyed_sectors are known to carry the card's own keys (a recovery authenticates
-- with those first).
ALTER TABLE cards
  ADD COLUMN layout_version smallint CHECK (layout_version BETWEEN 1 AND 255),
  ADD COLUMN key_version smallint REFERENCES card_key_versions (version),
  ADD COLUMN personalisation text NOT NULL DEFAULT 'not_started'
    CHECK (personalisation IN ('not_started', 'in_progress', 'done')),
  ADD COLUMN keyed_sectors smallint[] NOT NULL DEFAULT '{}',
  ADD CONSTRAINT cards_personalisation_keyed CHECK (
    personalisation = 'not_started' OR key_version IS NOT NULL
  );

CREATE TABLE card_plans (
  id uuid PRIMARY KEY,
  card_id uuid NOT NULL REFERENCES cards (id),
  uid text NOT NULL CHECK (uid ~ '^([0-9A-F]{8}|[0-9A-F]{14})$'),
  agent_id text NOT NULL REFERENCES reader_agents (id),
  counter_id uuid NOT NULL REFERENCES counters (id),
  purpose text NOT NULL CHECK (purpose IN ('personalise', 'recover', 'load', 'read', 'correct')),
  key_version smallint NOT NULL REFERENCES card_key_versions (version),
  -- What the plan is rebuilt from; never keys.
  spec jsonb NOT NULL,
  -- NULL for plans an agent asks for itself (reads).
  created_by uuid REFERENCES staff (id),
  request_id text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'accepted', 'rejected', 'uncertain')),
  fetch_count integer NOT NULL DEFAULT 0 CHECK (fetch_count >= 0),
  first_fetched_at timestamptz,
  report jsonb,
  report_hash text CHECK (report_hash ~ '^[0-9a-f]{64}$'),
  answer jsonb,
  reported_at timestamptz,
  CONSTRAINT card_plans_reported CHECK (
    (status = 'pending') = (report IS NULL) AND (report IS NULL) = (answer IS NULL)
    AND (report IS NULL) = (reported_at IS NULL) AND (report IS NULL) = (report_hash IS NULL)
  )
);

CREATE INDEX card_plans_card ON card_plans (card_id, created_at);
CREATE INDEX card_plans_pending ON card_plans (agent_id, expires_at) WHERE status = 'pending';

-- A plan is reported once: its report and answer never change afterwards.
CREATE FUNCTION card_plans_report_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = 'pending'
     AND NEW.id = OLD.id AND NEW.card_id = OLD.card_id AND NEW.uid = OLD.uid
     AND NEW.agent_id = OLD.agent_id AND NEW.purpose = OLD.purpose AND NEW.spec = OLD.spec
     AND NEW.key_version = OLD.key_version AND NEW.expires_at = OLD.expires_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'card_plans: a reported plan is final (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER card_plans_guard
  BEFORE UPDATE OR DELETE ON card_plans
  FOR EACH ROW EXECUTE FUNCTION card_plans_report_once();
