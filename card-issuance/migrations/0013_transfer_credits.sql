-- A released balance transfer written onto the replacement's chip. It is a load in every way the
-- card sees (the same plan, attempts, resolution on the next read, one open load per card), but it
-- takes no cash (no drawer) and posts nothing to the shadow balance: the release already moved the
-- balance there (transfer_out / transfer_in).

ALTER TABLE loads ADD COLUMN transfer_id uuid REFERENCES balance_transfers (id);
ALTER TABLE loads ALTER COLUMN drawer_id DROP NOT NULL;

-- Cash in a drawer, or a transfer: never both, never neither. A transfer credit has no cash to
-- give back, so it is never refunded (a failed one is written again from the next read).
ALTER TABLE loads ADD CONSTRAINT loads_cash_or_transfer CHECK (
  (transfer_id IS NULL) = (drawer_id IS NOT NULL)
  AND (transfer_id IS NULL OR state <> 'refunded')
);

-- One chip credit per released transfer, however often it is asked for.
CREATE UNIQUE INDEX loads_transfer_once ON loads (transfer_id) WHERE transfer_id IS NOT NULL;

-- The release posted the shadow entry; the credit must not post another.
CREATE FUNCTION loads_transfer_no_shadow() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NEW.kind = 'load' AND NEW.reference ~ '^load:[0-9a-f-]{36}$' AND EXISTS (
       SELECT 1 FROM loads l
        WHERE l.id = substr(NEW.reference, 6)::uuid AND l.transfer_id IS NOT NULL) THEN
    RAISE EXCEPTION 'a balance transfer credit is in the shadow balance already'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER shadow_balance_entries_no_transfer_load
  BEFORE INSERT ON shadow_balance_entries
  FOR EACH ROW WHEN (NEW.kind = 'load')
  EXECUTE FUNCTION loads_transfer_no_shadow();

-- Loads contract, extended at the end. A transfer credit on the card reads 'transfer_confirmed',
-- never 'confirmed': clearing takes confirmed loads as counter cash into the card float, and this
-- money is in the float already. It still fills its purse counter in the card's balance chain
-- (purse_counter_after, balance_after), like a top-up. kind: 'top_up' or 'transfer'; a transfer
-- credit has no drawer, its branch is its counter's.
CREATE OR REPLACE VIEW loads_contract AS
  SELECT l.id AS load_id, l.card_id, c.card_number, c.uid, l.amount,
         CASE WHEN l.transfer_id IS NOT NULL AND l.state = 'confirmed' THEN 'transfer_confirmed'
              ELSE l.state END AS status,
         l.drawer_id, COALESCE(d.branch_id, k.branch_id) AS branch_id, l.business_day,
         l.created_at,
         ce.at AS confirmed_at,
         a.counter_before + 1 AS purse_counter_after,
         a.balance_after,
         CASE WHEN l.transfer_id IS NULL THEN 'top_up' ELSE 'transfer' END AS kind,
         l.transfer_id
    FROM loads l
    JOIN cards c ON c.id = l.card_id
    LEFT JOIN drawers d ON d.id = l.drawer_id
    LEFT JOIN counters k ON k.id = l.counter_id
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
