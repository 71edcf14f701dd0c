-- Uploads are written without holding a lock across round trips: each reads its terminal's
-- position with this version, and its one write statement moves the position on only if the
-- version is still the one it read (and bumps it). Every statement that writes a terminal's
-- records, skipped ranges, gaps or batch rows moves this row in the same statement, so an
-- unchanged version proves that nothing the upload was checked against has changed since.
ALTER TABLE terminal_ingest_state ADD COLUMN version bigint NOT NULL DEFAULT 0;

COMMENT ON COLUMN terminal_ingest_state.version IS
  'Bumped by every ingest write of the terminal; a write names the version it read';
