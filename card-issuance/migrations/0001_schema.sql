-- The issuance schema belongs to card-issuance; other services read it only through the views it names
-- as its contract. The migrator creates the schema and runs each file with it on the search path.
COMMENT ON SCHEMA issuance IS 'Card issuance: staff, cardholders, cards, personalisation, top-ups, hotlist';
