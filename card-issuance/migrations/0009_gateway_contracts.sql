-- Contract views for the transaction gateway. The gateway never reads issuance tables directly:
-- these two views, with hotlist_contract and product_contract (0006), are all it may rely on.

-- Every card that has a number, with what verification on ingest needs: whether it exists, its
-- product and concession (for the fare re-check), its state and validity.
CREATE VIEW card_contract AS
  SELECT c.card_number, c.uid, c.product_code, p.concession_ref, c.state, c.expires_on
    FROM cards c
    LEFT JOIN products p ON p.code = c.product_code
   WHERE c.card_number IS NOT NULL;

-- Live sessions of enabled staff only: not ended, not expired, account not disabled. The gateway
-- looks a bearer token up by its sha256 and takes the roles; a copy of the view signs nobody in.
CREATE VIEW staff_session_contract AS
  SELECT s.token_hash, s.staff_id, t.username, t.roles, s.expires_at
    FROM sessions s
    JOIN staff t ON t.id = s.staff_id
   WHERE s.ended_at IS NULL AND s.expires_at > now() AND t.disabled_at IS NULL;
