import type { Queryable } from '@citycard/core/db';
import type { Receipt, SkippedRange, TransactionRecord } from '@citycard/terminal-sdk/protocol';

export interface IngestState {
  highest_contiguous: string;
  highest_seen: string;
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

const json = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);

/** What writing the records found: the new rows, the copies already stored, a batch already stored. */
export interface Stored {
  inserted: Set<number>;
  /** record_hash of each (terminal, sequence) of the upload that was already stored. */
  existing: Map<number, string>;
  /** Set when another upload stored this batch number meanwhile: nothing was written. */
  prior: { mac: string; receipt: Receipt } | undefined;
}

interface StoredRow {
  kind: 'inserted' | 'existing' | 'prior';
  sequence: string | null;
  record_hash: string | null;
  mac: string | null;
  receipt: Receipt | null;
}

/** The rest of the upload's write, known before the records are: it goes in the same statement. */
export interface Completion {
  highestContiguous: number;
  highestSeen: number;
  /** Sequences missing before this upload (noted, never refused). */
  gap?: { from: number; to: number } | undefined;
  skipped: readonly SkippedRange[];
  /**
   * Records whose sequence may already be stored (at or below the terminal's highest seen): a
   * different record under a stored sequence is kept apart in record_conflicts, never counted.
   */
  maybeStored: readonly RecordRow[];
  /** The outbox topic for the records written (none written: no job). */
  outboxTopic: string;
}

// The records' columns, in the order of the unnest below ($6 … $21).
const recordColumns = (rows: readonly RecordRow[]): unknown[] => {
  const col = <T>(f: (r: RecordRow) => T): T[] => rows.map(f);
  return [
    col((r) => r.record.sequence),
    col((r) => r.record.type),
    col((r) => r.record.cardNumber),
    col((r) => r.record.uid),
    col((r) => r.record.purseCounter),
    col((r) => r.record.amount),
    col((r) => r.record.balanceBefore),
    col((r) => r.record.balanceAfter),
    col((r) => new Date(r.record.occurredAt).toISOString()),
    col((r) => r.record.occurredAt),
    col((r) => json(r.record.location)),
    col((r) => json(r.record.fare)),
    col((r) => r.record.mac),
    col((r) => r.hash),
    col((r) => r.status),
    col((r) => r.reason),
  ];
};

const WRITE_SQL = `
  WITH prior AS (
    SELECT mac, receipt FROM batches WHERE terminal_id = $1 AND batch_seq = $2
  ), existing AS (
    SELECT sequence, record_hash FROM transactions
     WHERE terminal_id = $1 AND sequence = ANY($6::bigint[])
  ), inserted AS (
    INSERT INTO transactions (terminal_id, sequence, batch_seq, type, card_number, uid,
      purse_counter, amount, balance_before, balance_after, occurred_at, occurred_at_text,
      operator_id, location, fare, mac, record_hash, received_at, business_day, status, reason)
    SELECT $1, r.sequence, $2, r.type, r.card_number, r.uid, r.purse_counter, r.amount,
           r.balance_before, r.balance_after, r.occurred_at, r.occurred_at_text, $3, r.location,
           r.fare, r.mac, r.record_hash, $4, $5, r.status, r.reason
      FROM unnest($6::bigint[], $7::text[], $8::text[], $9::text[], $10::bigint[],
                  $11::numeric[], $12::numeric[], $13::numeric[], $14::timestamptz[],
                  $15::text[], $16::jsonb[], $17::jsonb[], $18::text[], $19::text[],
                  $20::text[], $21::text[])
        AS r (sequence, type, card_number, uid, purse_counter, amount, balance_before,
              balance_after, occurred_at, occurred_at_text, location, fare, mac, record_hash,
              status, reason)
     WHERE NOT EXISTS (SELECT 1 FROM prior)
    ON CONFLICT (terminal_id, sequence) DO NOTHING
    RETURNING sequence, card_number
  ), conflicts AS (
    INSERT INTO record_conflicts (terminal_id, sequence, batch_seq, record, record_hash,
                                  received_at)
    SELECT $1, k.sequence, $2, k.record, k.record_hash, $4
      FROM unnest($22::bigint[], $23::jsonb[], $24::text[]) AS k (sequence, record, record_hash)
      JOIN existing e ON e.sequence = k.sequence AND e.record_hash <> k.record_hash
     WHERE NOT EXISTS (SELECT 1 FROM prior)
    ON CONFLICT DO NOTHING
  ), skipped AS (
    INSERT INTO skipped_sequences (terminal_id, from_seq, to_seq, batch_seq, received_at)
    SELECT $1, k.f, k.t, COALESCE($2, 0), $4
      FROM unnest($25::bigint[], $26::bigint[]) AS k (f, t)
     WHERE NOT EXISTS (SELECT 1 FROM prior)
    ON CONFLICT DO NOTHING
  ), gap AS (
    INSERT INTO sequence_gaps (terminal_id, from_seq, to_seq, batch_seq, noted_at)
    SELECT $1, $27::bigint, $28::bigint, $2, $4
     WHERE $27::bigint IS NOT NULL AND NOT EXISTS (SELECT 1 FROM prior)
  ), job AS (
    INSERT INTO outbox (topic, payload, created_at)
    SELECT $29, jsonb_build_object('terminalId', $1::text)
             || CASE WHEN $2::bigint IS NULL THEN '{}'::jsonb
                     ELSE jsonb_build_object('batchSeq', $2::bigint) END
             || jsonb_build_object(
                  'sequences', (SELECT jsonb_agg(i.sequence ORDER BY i.sequence) FROM inserted i),
                  'cardNumbers', (SELECT jsonb_agg(f.card_number ORDER BY f.first)
                                    FROM (SELECT card_number, min(sequence) AS first
                                            FROM inserted GROUP BY card_number) f)),
           $4
     WHERE EXISTS (SELECT 1 FROM inserted)
  ), moved AS (
    UPDATE terminal_ingest_state
       SET highest_contiguous = $30, highest_seen = $31,
           last_batch_sequence = GREATEST(last_batch_sequence, COALESCE($2, 0)), updated_at = $4
     WHERE terminal_id = $1 AND NOT EXISTS (SELECT 1 FROM prior)
  )
  SELECT 'inserted' AS kind, sequence::text AS sequence, NULL AS record_hash, NULL AS mac,
         NULL::jsonb AS receipt FROM inserted
  UNION ALL
  SELECT 'existing', sequence::text, record_hash, NULL, NULL FROM existing
  UNION ALL
  SELECT 'prior', NULL, NULL, mac, receipt FROM prior`;

/**
 * The whole upload but its batch row in one statement: the records (one INSERT … SELECT FROM
 * unnest(arrays)), conflicting copies, skipped ranges, the gap, the outbox job (exactly when
 * records were written) and the terminal's new position, with the batch number re-checked under
 * the terminal's lock (another upload stored it meanwhile: nothing is written). The statement
 * sees the table as it stood before its own insert, and the lock keeps other writers of the
 * terminal's records out, so `existing` is exactly what the insert left alone.
 */
export async function writeUpload(
  db: Queryable,
  ctx: InsertContext,
  rows: readonly RecordRow[],
  c: Completion,
): Promise<Stored> {
  // Named: each connection parses and plans the statement once.
  const result = await db.query<StoredRow>({
    name: 'gateway-ingest-write',
    text: WRITE_SQL,
    values: [
      ctx.terminalId,
      ctx.batchSequence,
      ctx.operatorId,
      ctx.receivedAt,
      ctx.businessDay,
      ...recordColumns(rows),
      c.maybeStored.map((r) => r.record.sequence),
      c.maybeStored.map((r) => JSON.stringify(r.record)),
      c.maybeStored.map((r) => r.hash),
      c.skipped.map((s) => s.from),
      c.skipped.map((s) => s.to),
      c.gap?.from ?? null,
      c.gap?.to ?? null,
      c.outboxTopic,
      c.highestContiguous,
      c.highestSeen,
    ],
  });
  const stored: Stored = { inserted: new Set(), existing: new Map(), prior: undefined };
  for (const row of result.rows) {
    if (row.kind === 'inserted') stored.inserted.add(Number(row.sequence));
    else if (row.kind === 'existing')
      stored.existing.set(Number(row.sequence), row.record_hash ?? '');
    else if (row.mac !== null && row.receipt !== null) {
      stored.prior = { mac: row.mac, receipt: row.receipt };
    }
  }
  return stored;
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

export interface BatchRow {
  mac: string;
  header: unknown;
  count: number;
  amountTotal: string;
  receipt: Receipt;
}

/**
 * The batch row with the receipt answered, as SQL with literals only: it is sent with COMMIT in
 * one round trip. Every value is escaped by the client; numbers are checked integers.
 */
export function batchInsertSql(
  escape: (value: string) => string,
  ctx: InsertContext,
  batch: BatchRow,
): string {
  const int = (n: number | null): string => {
    if (n === null || !Number.isSafeInteger(n)) throw new Error('a batch number is an integer');
    return String(n);
  };
  return `INSERT INTO batches (terminal_id, batch_seq, mac, header, record_count, amount_total,
                               receipt, received_at)
          VALUES (${escape(ctx.terminalId)}, ${int(ctx.batchSequence)}, ${escape(batch.mac)},
                  ${escape(JSON.stringify(batch.header))}::jsonb, ${int(batch.count)},
                  ${escape(batch.amountTotal)}::numeric, ${escape(JSON.stringify(batch.receipt))}::jsonb,
                  ${escape(ctx.receivedAt.toISOString())}::timestamptz)`;
}
