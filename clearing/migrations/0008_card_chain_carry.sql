-- The card chain's carry from one night to the next: each card's tail (its record with the highest
-- purse counter, blocking records aside) over every business day up to the one the carry is
-- through. The next night links each card's first record of its day to its tail in one join,
-- instead of searching each card's history in the gateway.
--
-- Two slots by the parity of the day: a night reads last night's slot and writes its own, so the
-- carry is replaced whole (no per-card update). Everything here derives from the gateway's records:
-- the tables are unlogged, and after a crash, which empties them, the next night searches the
-- history as before and builds the carry again.

CREATE TABLE card_chain_tails (
  slot smallint NOT NULL,
  card_number text NOT NULL,
  purse_counter bigint NOT NULL,
  balance_after numeric(18,2) NOT NULL,
  terminal_id text NOT NULL,
  sequence bigint NOT NULL
) PARTITION BY LIST (slot);

CREATE UNLOGGED TABLE card_chain_tails_0 PARTITION OF card_chain_tails FOR VALUES IN (0);
CREATE UNLOGGED TABLE card_chain_tails_1 PARTITION OF card_chain_tails FOR VALUES IN (1);

-- One row: the business day the carry is through (every record of that day and before).
CREATE UNLOGGED TABLE card_chain_carry (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  through_day date NOT NULL
);
