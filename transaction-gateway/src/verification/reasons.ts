/** Why a record was quarantined on ingest; receipts and the quarantine list carry these codes. */
export const QUARANTINE_REASONS = [
  'UNKNOWN_CARD',
  'HOTLISTED_CARD',
  'CARD_EXPIRED',
  'CLOCK_SKEW',
  'AMOUNT_OUT_OF_LIMITS',
  'COUNTER_REPLAY',
  'FARE_MISMATCH',
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];
