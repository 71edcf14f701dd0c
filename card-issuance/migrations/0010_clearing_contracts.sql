-- Contract views for clearing. Clearing never reads issuance tables directly: these views are all
-- it may rely on for the day's cash, loads, drawers and the shadow balances behind the card float.
-- Money is numeric(18,2); the business day of a counter event is its Shanghai calendar date, the
-- same rule loads.business_day follows.

-- Every cash movement, signed as the drawer sees it (positive in, negative paid out), with the
-- card it concerns when there is one: a 'card' reference names the card, a 'load' reference the
-- load whose card it is. Floats and corrections usually concern no card.
CREATE VIEW cash_movements_contract AS
  SELECT m.id, m.drawer_id, d.branch_id, d.counter_id, m.seq, m.kind, m.amount,
         COALESCE(rc.id, lc.id) AS card_id,
         COALESCE(rc.card_number, lc.card_number) AS card_number,
         m.reference_type, m.reference_id, m.staff_id,
         m.at AS occurred_at,
         (m.at AT TIME ZONE 'Asia/Shanghai')::date AS business_day
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

-- Each card's shadow balance (0.00 for a card with no entry yet), for the float check: the card
-- float liability must equal the sum over this view.
CREATE VIEW shadow_balance_contract AS
  SELECT c.id AS card_id, c.card_number, c.uid, c.state, s.balance, s.last_seq
    FROM shadow_balances s
    JOIN cards c ON c.id = s.card_id;

-- Every load with its state; a confirmed one carries when it was confirmed and the purse counter
-- the written plan left on the card (the plan writes counter_before + 1).
CREATE VIEW loads_contract AS
  SELECT l.id AS load_id, l.card_id, c.card_number, c.uid, l.amount, l.state AS status,
         l.drawer_id, d.branch_id, l.business_day, l.created_at,
         ce.at AS confirmed_at,
         a.counter_before + 1 AS purse_counter_after,
         a.balance_after
    FROM loads l
    JOIN cards c ON c.id = l.card_id
    JOIN drawers d ON d.id = l.drawer_id
    LEFT JOIN LATERAL (
      SELECT e.at, e.plan_id FROM load_events e
       WHERE e.load_id = l.id AND e.to_state = 'confirmed'
       ORDER BY e.seq DESC LIMIT 1
    ) ce ON true
    LEFT JOIN LATERAL (
      SELECT t.counter_before, t.balance_after FROM load_attempts t
       WHERE t.load_id = l.id AND ce.at IS NOT NULL
         AND (t.plan_id = ce.plan_id OR (ce.plan_id IS NULL AND t.outcome = 'written'))
       ORDER BY (t.plan_id = ce.plan_id) DESC NULLS LAST, t.seq DESC LIMIT 1
    ) a ON true;

-- Every drawer with its clerk, and once closed what was expected, counted and the difference
-- (counted − expected: positive long, negative short).
CREATE VIEW drawer_contract AS
  SELECT d.id AS drawer_id, d.branch_id, d.counter_id, d.staff_id AS clerk_id,
         t.username AS clerk_username, d.opened_at, d.closed_at, d.opening_float,
         d.expected_cash, d.counted_cash, d.difference,
         CASE
           WHEN d.closed_at IS NULL THEN 'open'
           WHEN d.difference > 0 THEN 'long'
           WHEN d.difference < 0 THEN 'short'
           ELSE 'balanced'
         END AS outcome,
         (d.opened_at AT TIME ZONE 'Asia/Shanghai')::date AS business_day
    FROM drawers d
    JOIN staff t ON t.id = d.staff_id;
