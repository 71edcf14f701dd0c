-- Lookups of one card's hotlist history through hotlist_contract, by UID (a blank card cancelled
-- from stock has no number) or by card number, each in version order. The table is append-only
-- and small next to the transactions it is checked against, so plain indexes cost little.
CREATE INDEX hotlist_uid_version ON hotlist (uid, version);
CREATE INDEX hotlist_card_number_version ON hotlist (card_number, version)
  WHERE card_number IS NOT NULL;
