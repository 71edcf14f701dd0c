-- What the gateway hands terminals besides the hotlist (fare sets, operator configuration), and
-- what post-processing finds on a card (anomalies). Published fare sets and configurations are
-- evidence of what terminals were told to charge: append-only, a change is a new version.

CREATE FUNCTION distribution_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TABLE fare_sets (
  -- The fare set's own version (fareSetSchema.version); records name it in fare.fareSetVersion.
  version text PRIMARY KEY CHECK (version ~ '^[A-Za-z0-9._-]{1,32}$'),
  effective_from timestamptz NOT NULL,
  -- Validated with the fare module's parseFareSet before it is stored.
  body jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),
  body_sha256 text NOT NULL CHECK (body_sha256 ~ '^[0-9a-f]{64}$'),
  -- issuance staff id; no foreign key across schemas.
  published_by uuid NOT NULL,
  published_by_username text NOT NULL CHECK (char_length(published_by_username) <= 64),
  published_at timestamptz NOT NULL
);

CREATE INDEX fare_sets_effective ON fare_sets (effective_from DESC);

CREATE TRIGGER fare_sets_append_only
  BEFORE UPDATE OR DELETE ON fare_sets
  FOR EACH ROW EXECUTE FUNCTION distribution_refuse_change();
CREATE TRIGGER fare_sets_no_truncate
  BEFORE TRUNCATE ON fare_sets
  FOR EACH STATEMENT EXECUTE FUNCTION distribution_refuse_change();

CREATE TABLE operator_configs (
  operator_id text NOT NULL REFERENCES operators (id),
  version text NOT NULL CHECK (version ~ '^[A-Za-z0-9._-]{1,64}$'),
  effective_from timestamptz NOT NULL,
  -- terminal-sdk's operatorSettingsSchema, validated before it is stored.
  settings jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
  published_by uuid NOT NULL,
  published_by_username text NOT NULL CHECK (char_length(published_by_username) <= 64),
  published_at timestamptz NOT NULL,
  PRIMARY KEY (operator_id, version)
);

CREATE INDEX operator_configs_effective ON operator_configs (operator_id, effective_from DESC);

CREATE TRIGGER operator_configs_append_only
  BEFORE UPDATE OR DELETE ON operator_configs
  FOR EACH ROW EXECUTE FUNCTION distribution_refuse_change();
CREATE TRIGGER operator_configs_no_truncate
  BEFORE TRUNCATE ON operator_configs
  FOR EACH STATEMENT EXECUTE FUNCTION distribution_refuse_change();

-- What post-processing found on a card's accepted records. `key` makes a finding idempotent (the
-- worker re-runs a card at every batch); a gap or a day total that later adds up is marked
-- resolved, never deleted.
CREATE TABLE card_anomalies (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  card_number text NOT NULL CHECK (card_number ~ '^[0-9]{16}$'),
  kind text NOT NULL CHECK (kind IN ('counter_gap', 'counter_reuse', 'balance_break',
    'fare_day_mismatch')),
  key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
  -- The record that showed it, when there is one.
  terminal_id text,
  sequence bigint,
  purse_counter bigint,
  details jsonb NOT NULL,
  detected_at timestamptz NOT NULL,
  resolved_at timestamptz CHECK (resolved_at >= detected_at),
  UNIQUE (card_number, kind, key)
);

CREATE INDEX card_anomalies_open ON card_anomalies (detected_at) WHERE resolved_at IS NULL;

CREATE FUNCTION card_anomalies_resolve_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL
     AND (NEW.id, NEW.card_number, NEW.kind, NEW.key, NEW.details, NEW.detected_at)
         IS NOT DISTINCT FROM (OLD.id, OLD.card_number, OLD.kind, OLD.key, OLD.details,
                               OLD.detected_at) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'card_anomalies rows are only ever resolved, once: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER card_anomalies_guard
  BEFORE UPDATE OR DELETE ON card_anomalies
  FOR EACH ROW EXECUTE FUNCTION card_anomalies_resolve_only();
