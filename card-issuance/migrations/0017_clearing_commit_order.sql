-- A load's events and the counter cash movements record the transaction that wrote them, as
-- shadow entries do (0014). Clearing reads a night's loads and cash from its floor on (0015), and
-- a row stamped before that floor but committed after the previous run would then be missed: the
-- instant a row carries is the clerk's request's, not its commit's. With the writing transaction
-- a run also takes every row the previous run's snapshot could not see, whatever its instant, so
-- nothing committed late is left behind, and no rule on how late a write may commit is needed.
ALTER TABLE load_events ADD COLUMN xact xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE cash_movements ADD COLUMN xact xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX load_events_xact ON load_events (xact);
CREATE INDEX cash_movements_xact ON cash_movements (xact);

-- Contracts for clearing, extended at the end with the writing transaction.
CREATE OR REPLACE VIEW load_confirmations_contract AS
  SELECT load_id, at AS confirmed_at, xact FROM load_events WHERE to_state = 'confirmed';

CREATE OR REPLACE VIEW cash_movements_contract AS
  SELECT m.id, m.drawer_id, d.branch_id, d.counter_id, m.seq, m.kind, m.amount,
         COALESCE(rc.id, lc.id) AS card_id,
         COALESCE(rc.card_number, lc.card_number) AS card_number,
         m.reference_type, m.reference_id, m.staff_id,
         m.at AS occurred_at,
         (m.at AT TIME ZONE 'Asia/Shanghai')::date AS business_day,
         m.xact
    FROM cash_movements m
    JOIN drawers d ON d.id = m.drawer_id
    LEFT JOIN cards rc
      ON m.reference_type = 'card'
     AND m.reference_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     AND rc.id = m.reference_id::uuid
    LEFT JOIN loads l
      ON m.reference_type = 'load'
     AND m.reference_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     AND l.id = m.reference_id::uuid
    LEFT JOIN cards lc ON lc.id = l.card_id;

