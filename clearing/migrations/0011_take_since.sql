-- Each run's snapshot (take_snapshot) and the snapshots whose unseen loads and counter cash its
-- take read besides those stamped from its floor on (take_since: the previous run's, and those
-- of the runs it supersedes). A run takes every confirmation and cash movement that the previous
-- run's snapshot could not see, by the writing transaction (issuance 0017), whatever instant it
-- carries: one committed long after its instant is taken all the same. NULL for runs made before
-- this column: the run after one of them relies, for its loads and cash, on the floor alone.
ALTER TABLE runs ADD COLUMN take_snapshot pg_snapshot, ADD COLUMN take_since pg_snapshot[];
