-- A card writes each purse counter value once. The counter check reads before the write, so two
-- uploads from different terminals landing at the same moment could both accept a record under
-- the same (card, counter) — a clone's taps, paid twice. The database now refuses the second
-- accepted one; its upload goes round again, sees the first, and quarantines it as a counter
-- replay. Released records (a finance decision) and blocking records are outside the rule.
CREATE UNIQUE INDEX transactions_counter_once ON transactions (card_number, purse_counter)
  WHERE status = 'accepted' AND type <> 'card_blocked';
