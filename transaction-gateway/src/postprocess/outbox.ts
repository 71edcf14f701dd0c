import type { Queryable } from '@citycard/core/db';

/** The queue post-processing jobs travel on (one per deployment; tests use their own). */
export const POSTPROCESS_QUEUE = 'gateway-postprocess';

/**
 * Outbox topics, which become job names on the queue. The worker reads the cards a job concerns
 * from its payload: `cardNumbers`, or `terminalId` with `batchSeq` (the batch's records) or
 * `sequences` (single records). Unknown topics with such a payload are treated the same.
 */
export const OUTBOX_TOPICS = {
  /** A batch was stored: `{ terminalId, batchSeq, cardNumbers? }`. */
  batchStored: 'batch.stored',
  /** A single record was stored: `{ terminalId, sequences: [n], cardNumbers? }`. */
  recordStored: 'record.stored',
  /** Re-check these cards: `{ cardNumbers }`. */
  cardsChanged: 'cards.changed',
} as const;

export interface OutboxPayload {
  readonly terminalId?: string;
  readonly batchSeq?: number;
  readonly sequences?: readonly number[];
  readonly cardNumbers?: readonly string[];
}

/** Written by ingest inside its own transaction, so a job exists exactly when the records do. */
export async function writeOutbox(
  tx: Queryable,
  topic: string,
  payload: OutboxPayload,
): Promise<void> {
  await tx.query('INSERT INTO outbox (topic, payload) VALUES ($1, $2)', [topic, payload]);
}
