-- Staff accounts, their sign-in sessions and the record of every sign-in attempt.
-- staff.branch_id gets its foreign key in 0004, once branches exist.

CREATE TABLE staff (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$'),
  display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
  -- scrypt$N$r$p$salt$hash: the parameters travel with the hash so they can be raised later.
  password_hash text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
  roles text[] NOT NULL CHECK (
    cardinality(roles) BETWEEN 1 AND 5
    AND roles <@ ARRAY['clerk', 'supervisor', 'finance', 'auditor', 'admin']::text[]
    AND array_position(roles, NULL) IS NULL
  ),
  branch_id uuid,
  disabled_at timestamptz,
  failed_logins int NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  password_changed_at timestamptz NOT NULL DEFAULT now()
);

-- Names differ by more than case, so 'Wang.Li' cannot be registered beside 'wang.li'.
CREATE UNIQUE INDEX staff_username_ci ON staff (lower(username));
CREATE INDEX staff_branch ON staff (branch_id) WHERE branch_id IS NOT NULL;

CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  staff_id uuid NOT NULL REFERENCES staff (id),
  -- sha256 of the bearer token: a copy of this table signs nobody in.
  token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  counter_id uuid,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
  ended_at timestamptz CHECK (ended_at >= created_at),
  ip text CHECK (char_length(ip) <= 64)
);

CREATE INDEX sessions_staff_open ON sessions (staff_id) WHERE ended_at IS NULL;

CREATE TABLE login_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- NULL when the name matched no account; the name tried is kept, the password never is.
  staff_id uuid REFERENCES staff (id),
  username text NOT NULL CHECK (char_length(username) <= 200),
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
  reason text NOT NULL CHECK (reason IN (
    'ok', 'unknown_user', 'wrong_password', 'disabled', 'locked', 'counter_refused'
  )),
  session_id uuid REFERENCES sessions (id),
  at timestamptz NOT NULL,
  ip text CHECK (char_length(ip) <= 64),
  CONSTRAINT login_events_success CHECK ((outcome = 'success') = (session_id IS NOT NULL))
);

CREATE INDEX login_events_staff_at ON login_events (staff_id, at) WHERE staff_id IS NOT NULL;
CREATE INDEX login_events_at ON login_events (at);

CREATE FUNCTION login_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'login_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER login_events_append_only
  BEFORE UPDATE OR DELETE ON login_events
  FOR EACH ROW EXECUTE FUNCTION login_events_refuse_change();

CREATE TRIGGER login_events_no_truncate
  BEFORE TRUNCATE ON login_events
  FOR EACH STATEMENT EXECUTE FUNCTION login_events_refuse_change();
