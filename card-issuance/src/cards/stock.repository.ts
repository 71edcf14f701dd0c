import type { Queryable } from '@citycard/core/db';

export async function existingUids(tx: Queryable, uids: readonly string[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ uid: string }>(
    'SELECT uid FROM cards WHERE uid = ANY($1::text[])',
    [uids],
  );
  return new Set(rows.map((r) => r.uid));
}

export interface BatchRecord {
  readonly id: string;
  readonly importedBy: string;
  readonly lineCount: number;
  readonly requestId: string;
  readonly at: Date;
}

export async function insertBatch(tx: Queryable, batch: BatchRecord): Promise<void> {
  await tx.query(
    `INSERT INTO stock_batches (id, imported_by, line_count, request_id, at)
     VALUES ($1, $2, $3, $4, $5)`,
    [batch.id, batch.importedBy, batch.lineCount, batch.requestId, batch.at],
  );
}

/**
 * Inserts the cards and their first history row. A UID taken meanwhile by a concurrent batch is
 * skipped here (ON CONFLICT waits for that batch to commit) and answered as the missing ones,
 * so the caller can refuse the whole batch.
 */
export async function insertStockCards(
  tx: Queryable,
  batch: BatchRecord,
  uids: readonly string[],
): Promise<Set<string>> {
  const { rows } = await tx.query<{ id: string; uid: string }>(
    `INSERT INTO cards (id, uid, batch_id, imported_at, state, updated_at)
     SELECT gen_random_uuid(), u, $1, $2, 'stock', $2 FROM unnest($3::text[]) AS u
     ON CONFLICT (uid) DO NOTHING
     RETURNING id, uid`,
    [batch.id, batch.at, uids],
  );
  await tx.query(
    `INSERT INTO card_state_changes (card_id, seq, from_state, to_state, command, staff_id,
       request_id, at)
     SELECT id, 1, NULL, 'stock', 'import', $2, $3, $4 FROM unnest($1::uuid[]) AS id`,
    [rows.map((r) => r.id), batch.importedBy, batch.requestId, batch.at],
  );
  const inserted = new Set(rows.map((r) => r.uid));
  return new Set(uids.filter((u) => !inserted.has(u)));
}
