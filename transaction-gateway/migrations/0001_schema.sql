-- The gateway schema belongs to transaction-gateway; other services read it only through the views it names
-- as its contract. The migrator creates the schema and runs each file with it on the search path.
COMMENT ON SCHEMA gateway IS 'Transaction gateway: terminals, batch ingest, verification, quarantine, distribution';
