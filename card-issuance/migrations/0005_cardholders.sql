-- Cardholders. The identity document number is never stored in plain text: it is sealed (AES-256-GCM
-- envelope, bound to the row by using the cardholder id as associated data), found through a keyed
-- blind index, and shown through a mask computed at write time.
CREATE TABLE cardholders (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  document_type text NOT NULL CHECK (document_type IN ('resident_id', 'passport', 'other')),
  document_country text CHECK (document_country ~ '^[A-Z]{3}$'),
  document_label text CHECK (char_length(document_label) BETWEEN 1 AND 40),
  id_number_sealed text NOT NULL CHECK (id_number_sealed LIKE 'v1.%'),
  id_number_index text NOT NULL CHECK (id_number_index ~ '^[0-9a-f]{64}$'),
  id_number_masked text NOT NULL,
  date_of_birth date NOT NULL CHECK (date_of_birth >= DATE '1900-01-01'),
  sex text CHECK (sex IN ('M', 'F', 'X')),
  phone text CHECK (char_length(phone) BETWEEN 3 AND 32),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  CONSTRAINT cardholders_document_unique UNIQUE (document_type, id_number_index),
  CONSTRAINT cardholders_resident_id_chn CHECK (
    document_type <> 'resident_id' OR (document_country = 'CHN' AND sex IN ('M', 'F'))
  ),
  CONSTRAINT cardholders_passport_country CHECK (
    document_type <> 'passport' OR document_country IS NOT NULL
  ),
  CONSTRAINT cardholders_label_for_other CHECK ((document_type = 'other') = (document_label IS NOT NULL))
);

-- Name search is a case-insensitive prefix match.
CREATE INDEX cardholders_name_prefix ON cardholders (lower(name) text_pattern_ops, id);

-- One row per version, written in the same transaction as the change. Earlier values are kept only
-- sealed (aad 'cardholder_history:<cardholder id>:<version>'), never in plain text.
CREATE TABLE cardholder_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cardholder_id uuid NOT NULL REFERENCES cardholders (id),
  version integer NOT NULL CHECK (version >= 1),
  changed_at timestamptz NOT NULL,
  changed_by uuid NOT NULL REFERENCES staff (id),
  changed_fields text[] NOT NULL CHECK (cardinality(changed_fields) > 0),
  reason text CHECK (char_length(reason) BETWEEN 1 AND 200),
  previous_sealed text CHECK (previous_sealed LIKE 'v1.%'),
  request_id text NOT NULL,
  CONSTRAINT cardholder_history_version_unique UNIQUE (cardholder_id, version),
  -- The registration row has nothing before it; every later row keeps what it replaced.
  CONSTRAINT cardholder_history_previous CHECK ((version = 1) = (previous_sealed IS NULL))
);

CREATE FUNCTION cardholder_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'cardholder_history is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER cardholder_history_no_change
  BEFORE UPDATE OR DELETE ON cardholder_history
  FOR EACH ROW EXECUTE FUNCTION cardholder_history_append_only();

CREATE TRIGGER cardholder_history_no_truncate
  BEFORE TRUNCATE ON cardholder_history
  FOR EACH STATEMENT EXECUTE FUNCTION cardholder_history_append_only();
