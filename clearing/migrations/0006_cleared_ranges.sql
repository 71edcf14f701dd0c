-- What a run cleared is kept per terminal as the multirange of the sequences it took, not as one
-- row per transaction: a night of millions of transactions writes a few rows per terminal, and a
-- terminal's sequences are mostly one unbroken run. cleared_frontier is their union over every run
-- that holds its keys; a run takes only the sequences outside it. Both change in the run's own
-- transaction, so a crashed run leaves no trace and a rerun finds the same keys free again.

CREATE TABLE cleared_ranges (
  -- The run row is written last in the run's transaction.
  run_id uuid NOT NULL REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED,
  terminal_id text NOT NULL,
  sequences int8multirange NOT NULL CHECK (NOT isempty(sequences)),
  count bigint NOT NULL CHECK (count >= 1),
  PRIMARY KEY (run_id, terminal_id)
);

CREATE INDEX cleared_ranges_terminal ON cleared_ranges (terminal_id);

CREATE TABLE cleared_frontier (
  terminal_id text PRIMARY KEY,
  sequences int8multirange NOT NULL
);

-- A multirange's size: how many sequences it holds.
CREATE FUNCTION multirange_size(m int8multirange) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT COALESCE(sum(upper(r) - lower(r)), 0)::bigint FROM unnest(m) AS r);

-- The frontier is derived: only the triggers below write it.
CREATE FUNCTION cleared_frontier_derived() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'cleared_frontier is kept by the triggers of cleared_ranges: % refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END;
$$;

CREATE TRIGGER cleared_frontier_derived BEFORE INSERT OR UPDATE OR DELETE ON cleared_frontier
  FOR EACH ROW EXECUTE FUNCTION cleared_frontier_derived();
CREATE TRIGGER cleared_frontier_no_truncate BEFORE TRUNCATE ON cleared_frontier
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- A sequence is cleared by at most one run: keys added must be outside the frontier and must not
-- overlap one another. Checked per statement: a run costs a look-up per terminal, not one per
-- transaction.
CREATE FUNCTION cleared_ranges_taken() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM added WHERE multirange_size(sequences) <> count)
     OR EXISTS (SELECT 1 FROM added GROUP BY terminal_id
                HAVING sum(count) <> multirange_size(range_agg(sequences)))
     OR EXISTS (SELECT 1 FROM added a JOIN cleared_frontier f USING (terminal_id)
                 WHERE f.sequences && a.sequences) THEN
    RAISE EXCEPTION 'a transaction is cleared once: sequences already cleared, or counts wrong'
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'cleared_once';
  END IF;
  INSERT INTO cleared_frontier (terminal_id, sequences)
  SELECT terminal_id, range_agg(sequences) FROM added GROUP BY terminal_id
  ON CONFLICT (terminal_id) DO UPDATE SET sequences = cleared_frontier.sequences + EXCLUDED.sequences;
  RETURN NULL;
END;
$$;

-- Keys leave only with their run, once it is superseded or aborted (as in 0003).
CREATE FUNCTION cleared_ranges_released() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM (SELECT DISTINCT run_id FROM gone) g JOIN runs r ON r.id = g.run_id
     WHERE r.status NOT IN ('aborted', 'superseded')
  ) THEN
    RAISE EXCEPTION 'cleared_ranges of a live run cannot be released'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE cleared_frontier f SET sequences = f.sequences - g.sequences
    FROM (SELECT terminal_id, range_agg(sequences) AS sequences FROM gone GROUP BY terminal_id) g
   WHERE f.terminal_id = g.terminal_id;
  DELETE FROM cleared_frontier f USING (SELECT DISTINCT terminal_id FROM gone) g
   WHERE f.terminal_id = g.terminal_id AND isempty(f.sequences);
  RETURN NULL;
END;
$$;

CREATE TRIGGER cleared_ranges_taken AFTER INSERT ON cleared_ranges
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION cleared_ranges_taken();
CREATE TRIGGER cleared_ranges_released AFTER DELETE ON cleared_ranges
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION cleared_ranges_released();
CREATE TRIGGER cleared_ranges_frozen BEFORE UPDATE ON cleared_ranges
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cleared_ranges_no_truncate BEFORE TRUNCATE ON cleared_ranges
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Keys cleared so far move over as ranges; the frontier follows from the insert.
INSERT INTO cleared_ranges (run_id, terminal_id, sequences, count)
SELECT run_id, terminal_id, range_agg(int8range(sequence, sequence + 1)), count(*)
  FROM cleared_transactions
 GROUP BY run_id, terminal_id;

DROP TABLE cleared_transactions;

-- One row per cleared transaction, for reading: which run cleared (terminal, sequence).
CREATE VIEW cleared_transactions AS
  SELECT c.terminal_id, s.sequence, c.run_id
    FROM cleared_ranges c
    CROSS JOIN LATERAL unnest(c.sequences) AS r (piece)
    CROSS JOIN LATERAL generate_series(lower(r.piece), upper(r.piece) - 1) AS s (sequence);

-- The float check's cut and how its difference is explained (see FloatCheck); NULL before 0006.
ALTER TABLE runs ADD COLUMN float_detail jsonb;
