-- The float check's carry: the totals of issuance's shadow entries by class (terminal, load,
-- correction, other) as the run's snapshot saw them, and that snapshot. The next run adds to
-- them the entries this snapshot did not see, instead of summing the history again.
ALTER TABLE runs ADD COLUMN float_snapshot pg_snapshot, ADD COLUMN float_totals jsonb;
