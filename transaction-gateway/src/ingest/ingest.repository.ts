import type { Queryable } from '@citycard/core/db';
import type { Receipt, SkippedRange, TransactionRecord } from '@citycard/terminal-sdk/protocol';
import type { OutboxPayload } from '../postprocess/index.js';

/** Where a terminal's uploads stand, as read before an upload; `version` 0: no row yet. */
export interface IngestState {
  highestContiguous: number;
  highestSeen: number;
  version: string;
}

export interface RecordRow {
  record: TransactionRecord;
  hash: string;
  status: 'accepted' | 'quarantined';
  reason: string | null;
}

export interface InsertContext {
  terminalId: string;
  operatorId: string;
  batchSequence: number | null;
  receivedAt: Date;
  businessDay: string;
}

/** The batch row with the receipt answered (absent for a record posted alone). */
export interface BatchRow {
  mac: string;
  header: unknown;
  count: number;
  amountTotal: string;
  receipt: Receipt;
}

/** Everything one upload writes, decided before the write from what the preflight read. */
export interface UploadWrite {
  /** The state version the upload was checked against: the write happens only if it still holds. */
  expectedVersion: string;
  highestContiguous: number;
  highestSeen: number;
  /** Records whose sequence is not stored yet. */
  inserts: readonly RecordRow[];
  /** Records that differ from the stored record under their sequence: kept apart, never counted. */
  conflicts: readonly RecordRow[];
  skipped: readonly SkippedRange[];
  /** Sequences missing before this upload (noted, never refused). */
  gap?: { from: number; to: number } | undefined;
  outbox: { topic: string; payload: OutboxPayload } | undefined;
  batch: BatchRow | undefined;
}

const json = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);

/**
 * The records to insert as one JSON array, keyed by column: JSON.stringify is native and the
 * driver sends one string, where sixteen arrays cost the driver more than the rest of the write.
 * Read as json, not jsonb: jsonb_to_recordset was cheaper in a bare INSERT but slower and costlier
 * for PostgreSQL in the ingest bench (PostgreSQL 15).
 */
const recordsJson = (rows: readonly RecordRow[]): string => JSON.stringify(rows.map(recordColumns));

/** A record to store, keyed by its transactions column. */
export const recordColumns = ({ record: r, hash, status, reason }: RecordRow) => ({
  sequence: r.sequence,
  type: r.type,
  card_number: r.cardNumber,
  uid: r.uid,
  purse_counter: r.purseCounter,
  amount: r.amount,
  balance_before: r.balanceBefore,
  balance_after: r.balanceAfter,
  occurred_at: new Date(r.occurredAt).toISOString(),
  occurred_at_text: r.occurredAt,
  location: r.location,
  fare: r.fare ?? null,
  mac: r.mac,
  record_hash: hash,
  status,
  reason,
});

const WRITE_SQL = `
  WITH moved AS (
    INSERT INTO terminal_ingest_state AS s (terminal_id, highest_contiguous, highest_seen,
                                            last_batch_sequence, updated_at, version)
    VALUES ($1, $15, $16, COALESCE($2, 0), $4, 1)
    ON CONFLICT (terminal_id) DO UPDATE
       SET highest_contiguous = EXCLUDED.highest_contiguous,
           highest_seen = EXCLUDED.highest_seen,
           last_batch_sequence = GREATEST(s.last_batch_sequence, EXCLUDED.last_batch_sequence),
           updated_at = EXCLUDED.updated_at, version = s.version + 1
     WHERE s.version = $17
    RETURNING s.version
  ), inserted AS (
    INSERT INTO transactions (terminal_id, sequence, batch_seq, type, card_number, uid,
      purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
      operator_id, location, fare, mac, record_hash, received_at, business_day, status, reason)
    SELECT $1, r.sequence, $2, r.type, r.card_number, r.uid, r.purse_counter, r.amount,
           r.balance_before, r.balance_after, r.occurred_at, r.occurred_at_text, $3, r.location,
           r.fare, r.mac, r.record_hash, $4, $5, r.status, r.reason
      FROM json_to_recordset($6::json)
        AS r (sequence bigint, type text, card_number text, uid text, purse_counter bigint,
              amount numeric, balance_before numeric, balance_after numeric,
              occurred_at timestamptz, occurred_at_text text, location jsonb, fare jsonb,
              mac text, record_hash text, status text, reason text)
     WHERE EXISTS (SELECT 1 FROM moved)
  ), conflicts AS (
    INSERT INTO record_conflicts (terminal_id, sequence, batch_seq, record, record_hash,
                                  received_at)
    SELECT $1, k.sequence, $2, k.record, k.record_hash, $4
      FROM unnest($7::bigint[], $8::jsonb[], $9::text[]) AS k (sequence, record, record_hash)
     WHERE EXISTS (SELECT 1 FROM moved)
    ON CONFLICT DO NOTHING
  ), skipped AS (
    INSERT INTO skipped_sequences (terminal_id, from_seq, to_seq, batch_seq, received_at)
    SELECT $1, k.f, k.t, COALESCE($2, 0), $4
      FROM unnest($10::bigint[], $11::bigint[]) AS k (f, t)
     WHERE EXISTS (SELECT 1 FROM moved)
    ON CONFLICT DO NOTHING
  ), gap AS (
    INSERT INTO sequence_gaps (terminal_id, from_seq, to_seq, batch_seq, noted_at)
    SELECT $1, $12::bigint, $13::bigint, $2, $4
     WHERE $12::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM moved)
  ), job AS (
    INSERT INTO outbox (topic, payload, created_at)
    SELECT $14::jsonb ->> 'topic', $14::jsonb -> 'payload', $4
     WHERE $14::jsonb IS NOT NULL AND EXISTS (SELECT 1 FROM moved)
  ), batch AS (
    INSERT INTO batches (terminal_id, batch_seq, mac, header, record_count, amount_total,
                         receipt, received_at)
    SELECT $1, $2, b ->> 'mac', b -> 'header', (b ->> 'count')::integer,
           (b ->> 'amountTotal')::numeric, b -> 'receipt', $4
      FROM (SELECT $18::jsonb AS b) AS given
     WHERE b IS NOT NULL AND EXISTS (SELECT 1 FROM moved)
  )
  SELECT count(*)::int AS moved FROM moved`;

/**
 * The whole upload in one statement, which is its own transaction: the terminal's new position
 * (only if its version is still the one read, which it bumps), the records (INSERT … SELECT FROM
 * json_to_recordset), conflicting copies, skipped ranges, the gap, the outbox job and the batch row
 * with its receipt. False when another upload of the terminal was written since the read:
 * nothing was written, and the upload is checked again. A record stored meanwhile without the
 * version moving would break the primary key and fail the whole statement, never be counted twice.
 */
export async function writeUpload(
  db: Queryable,
  ctx: InsertContext,
  w: UploadWrite,
): Promise<boolean> {
  // Named: each connection parses and plans the statement once.
  const result = await db.query<{ moved: number }>({
    name: 'gateway-ingest-write-v3',
    text: WRITE_SQL,
    values: [
      ctx.terminalId,
      ctx.batchSequence,
      ctx.operatorId,
      ctx.receivedAt,
      ctx.businessDay,
      recordsJson(w.inserts),
      w.conflicts.map((r) => r.record.sequence),
      w.conflicts.map((r) => JSON.stringify(r.record)),
      w.conflicts.map((r) => r.hash),
      w.skipped.map((s) => s.from),
      w.skipped.map((s) => s.to),
      w.gap?.from ?? null,
      w.gap?.to ?? null,
      json(w.outbox) ?? null,
      w.highestContiguous,
      w.highestSeen,
      w.expectedVersion,
      json(w.batch) ?? null,
    ],
  });
  return (result.rows[0]?.moved ?? 0) > 0;
}

/** Stored records and skipped ranges above `after`, in order, to walk contiguity forward. */
export async function spansAbove(
  db: Queryable,
  terminalId: string,
  after: number,
): Promise<{ from: number; to: number }[]> {
  const { rows } = await db.query<{ f: string; t: string }>(
    `SELECT sequence AS f, sequence AS t FROM transactions WHERE terminal_id = $1 AND sequence > $2
     UNION ALL
     SELECT from_seq, to_seq FROM skipped_sequences WHERE terminal_id = $1 AND to_seq > $2
     ORDER BY 1`,
    [terminalId, after],
  );
  return rows.map((r) => ({ from: Number(r.f), to: Number(r.t) }));
}
