-- Clearing takes the loads and the counter cash it has not cleared yet. Reading every load and
-- every cash movement ever made, each night, costs the whole history; a night reads only those
-- from its take's floor on (the latest earlier run's cut-off, less an hour's look-back), as it
-- reads the gateway's records and the shadow entries. The rule this rests on: a confirmation or a
-- cash movement commits within that hour of the instant it carries (`at`, the moment its request
-- was handled).
CREATE INDEX load_events_confirmed_at ON load_events (at) WHERE to_state = 'confirmed';
CREATE INDEX cash_movements_at ON cash_movements (at);

-- Contract for clearing: every confirmation of a load, with its instant (loads_contract's
-- confirmed_at is a load's latest), so a reader can ask for the loads confirmed since an instant
-- in terms the index above answers.
CREATE VIEW load_confirmations_contract AS
  SELECT load_id, at AS confirmed_at FROM load_events WHERE to_state = 'confirmed';
