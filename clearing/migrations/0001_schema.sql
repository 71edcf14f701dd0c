-- The clearing schema belongs to clearing; other services read it only through the views it names
-- as its contract. The migrator creates the schema and runs each file with it on the search path.
COMMENT ON SCHEMA clearing IS 'Clearing and settlement: runs, ledger, reconciliation, reports';
