-- The audit trail: one row per state change, each hash-chained to the one before it, so that a
-- row changed, removed or moved after the fact shows up in `citycard audit verify`.
-- Rows keep references and hashes only, never the personal data itself.

-- The chain's head: writers lock this one row, so seq has no gaps and every row links to the
-- row committed just before it, however many transactions write at once.
CREATE TABLE audit_chain_head (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq bigint NOT NULL CHECK (seq >= 0),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);

INSERT INTO audit_chain_head (seq, hash) VALUES (0, repeat('0', 64));

CREATE TABLE audit_log (
  -- Given out under the head's lock rather than by a sequence: a rolled-back transaction would
  -- burn a sequence value, and a gap must only ever mean a removed row.
  seq bigint PRIMARY KEY CHECK (seq > 0),
  at timestamptz NOT NULL,
  actor_staff_id uuid REFERENCES staff (id),
  actor_roles text[] NOT NULL,
  actor_system text CHECK (char_length(actor_system) BETWEEN 1 AND 64),
  counter_id uuid,
  action text NOT NULL CHECK (char_length(action) BETWEEN 1 AND 100),
  target_type text NOT NULL CHECK (char_length(target_type) BETWEEN 1 AND 64),
  target_id text NOT NULL CHECK (char_length(target_id) BETWEEN 1 AND 200),
  request_id text NOT NULL CHECK (char_length(request_id) BETWEEN 1 AND 200),
  before_hash text CHECK (before_hash ~ '^[0-9a-f]{64}$'),
  after_hash text CHECK (after_hash ~ '^[0-9a-f]{64}$'),
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT audit_log_one_actor CHECK ((actor_staff_id IS NULL) <> (actor_system IS NULL))
);

CREATE INDEX audit_log_target ON audit_log (target_type, target_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_staff_id, seq) WHERE actor_staff_id IS NOT NULL;
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- The head only ever moves one row forward, and only to a row that is in the log.
CREATE FUNCTION audit_chain_head_advance() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'audit_chain_head: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.seq <> OLD.seq + 1
     OR NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash) THEN
    RAISE EXCEPTION 'audit_chain_head may only advance to the next row'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_chain_head_guard
  BEFORE UPDATE OR DELETE ON audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION audit_chain_head_advance();

CREATE TRIGGER audit_chain_head_no_truncate
  BEFORE TRUNCATE ON audit_chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_advance();
