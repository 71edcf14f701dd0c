-- The card chain's carry, kept in place. Two slots replaced whole meant every night wrote a tail
-- for every card ever seen: the city's whole card base, however few cards a day moves. Now a night
-- writes only the tails of the cards it saw (an upsert by card number), so it costs the day, not
-- the card base. A night still reads the carry only when it is through the day before, and still
-- runs one at a time; the tables stay unlogged, and after a crash the next night builds the carry
-- again from the history.
DROP TABLE card_chain_tails;

CREATE UNLOGGED TABLE card_chain_tails (
  card_number text PRIMARY KEY,
  purse_counter bigint NOT NULL,
  balance_after numeric(18,2) NOT NULL,
  terminal_id text NOT NULL,
  sequence bigint NOT NULL
) WITH (fillfactor = 80);  -- room on the page, so moving a tail is an in-place (HOT) update

-- Empty, so it claims nothing: the next night builds it from the history.
TRUNCATE card_chain_carry;
