-- Where each run's take started reading the gateway's records: the earliest accepted_at it read
-- (NULL: every record stored). The next run starts from the latest earlier run's cut-off, less a
-- look-back; a rerun also reads from the floor of the run it supersedes, whose records it frees.
ALTER TABLE runs ADD COLUMN take_floor timestamptz;
