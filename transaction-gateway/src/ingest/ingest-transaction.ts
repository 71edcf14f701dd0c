import type pg from 'pg';
import { isConnectionError } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { IngestState } from './ingest.repository.js';

/** What the work inside the transaction answers, and SQL (no parameters) to run just before COMMIT. */
export interface Finished<T> {
  result: T;
  /** Sent in the same round trip as COMMIT; literals only, made with the client's escapeLiteral. */
  beforeCommit?: string | undefined;
}

const dbError = (err: unknown): unknown =>
  isConnectionError(err) ? new AppError('DB_UNAVAILABLE', { cause: err }) : err;

/**
 * One upload's transaction, as withTransaction runs it (read committed, rollback on any error,
 * a client whose ROLLBACK failed is dropped) but in fewer round trips: BEGIN goes with the lock
 * of the terminal's ingest row, and the last statement with COMMIT. Each round trip costs a
 * write to the server's socket, the largest part of a single-record upload.
 */
export async function ingestTransaction<T>(
  pool: pg.Pool,
  terminalId: string,
  work: (tx: pg.PoolClient, state: IngestState) => Promise<Finished<T>>,
): Promise<T> {
  const client = await pool.connect().catch((err: unknown) => {
    throw dbError(err);
  });
  let broken: Error | undefined;
  try {
    const id = client.escapeLiteral(terminalId);
    const opened = (await client.query(
      `BEGIN ISOLATION LEVEL READ COMMITTED;
       INSERT INTO terminal_ingest_state (terminal_id) VALUES (${id})
       ON CONFLICT (terminal_id) DO UPDATE SET terminal_id = EXCLUDED.terminal_id
       RETURNING highest_contiguous::text, highest_seen::text`,
    )) as unknown as pg.QueryResult<IngestState>[];
    const state = opened[1]?.rows[0];
    if (state === undefined) throw new Error('terminal_ingest_state upsert returned nothing');
    const { result, beforeCommit } = await work(client, state);
    await client.query(beforeCommit === undefined ? 'COMMIT' : `${beforeCommit}; COMMIT`);
    return result;
  } catch (err) {
    broken = await rollback(client);
    throw dbError(err);
  } finally {
    client.release(broken);
  }
}

async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error('ROLLBACK failed');
  }
}
