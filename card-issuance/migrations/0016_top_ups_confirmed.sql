-- Contract for clearing: each top-up confirmed on its card (loads_contract's status 'confirmed'; a
-- transfer's credit is not one), with its amount and the instant of its latest confirmation
-- (loads_contract's confirmed_at). A night sums these. Read through loads_contract, each load
-- also cost a lookup of its card and of its write attempt, columns the sum never reads: about 40%
-- of the take's time.
CREATE VIEW top_ups_confirmed_contract AS
  SELECT l.id AS load_id, l.amount, ce.at AS confirmed_at
    FROM loads l
    CROSS JOIN LATERAL (
      SELECT e.at FROM load_events e
       WHERE e.load_id = l.id AND e.to_state = 'confirmed'
       ORDER BY e.seq DESC LIMIT 1
    ) ce
   WHERE l.state = 'confirmed' AND l.transfer_id IS NULL;
