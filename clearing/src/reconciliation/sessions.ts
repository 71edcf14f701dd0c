import type pg from 'pg';
import { isConnectionError, type Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';

// One reconciliation at a time across every process ('reconcil' as a big-endian int64): a night
// empties and refills its card chain carry slot with TRUNCATE, which a transaction whose snapshot
// is older than the TRUNCATE's commit would see as an empty table.
export const RECONCILE_LOCK_KEY = '8243104023216089452';

// A snapshot name as pg_export_snapshot() gives it: it goes into the SQL text.
const SNAPSHOT_NAME = /^[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?$/i;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function dbError(err: unknown): unknown {
  return isConnectionError(err) ? new AppError('DB_UNAVAILABLE', { cause: err }) : err;
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  return pool.connect().catch((err: unknown) => {
    throw dbError(err);
  });
}

/** ROLLBACK; a client whose ROLLBACK failed is in an unknown state and is not pooled again. */
async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error('ROLLBACK failed');
  }
}

/**
 * Runs `fn` on a connection holding the reconciliation lock (a session lock, so it is held before
 * `fn` opens its transaction and takes its snapshot). A reconciliation waiting for the lock holds
 * no pooled connection meanwhile: the one running needs a second one for its snapshot.
 */
export async function oneAtATime<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const client = await connect(pool);
    let locked: boolean;
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS ok',
        [RECONCILE_LOCK_KEY],
      );
      locked = rows[0]?.ok === true;
    } catch (err) {
      client.release(err instanceof Error ? err : true);
      throw dbError(err);
    }
    if (locked) return holding(client, fn);
    client.release();
    await sleep(Math.min(50 * 2 ** attempt, 1000));
  }
}

/** Runs `fn`, then gives the lock back; a connection that cannot is closed, which does. */
async function holding<T>(
  client: pg.PoolClient,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let broken: Error | undefined;
  try {
    return await fn(client);
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1::bigint)', [RECONCILE_LOCK_KEY])
      .catch((err: unknown) => {
        broken = err instanceof Error ? err : new Error('unlock failed');
      });
    client.release(broken);
  }
}

/** BEGIN ISOLATION LEVEL REPEATABLE READ … COMMIT on `client`; ROLLBACK when `fn` throws. */
export async function repeatableRead<T>(
  client: pg.PoolClient,
  fn: (tx: pg.PoolClient) => Promise<T>,
): Promise<T> {
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    const failed = await rollback(client);
    if (failed !== undefined) throw dbError(failed);
    throw dbError(err);
  }
}

/** The snapshot of the caller's repeatable-read transaction, for onSnapshot. */
export async function exportSnapshot(tx: Queryable): Promise<string> {
  const { rows } = await tx.query<{ name: string }>('SELECT pg_export_snapshot() AS name');
  const name = rows[0]?.name;
  if (name === undefined || !SNAPSHOT_NAME.test(name)) {
    throw new Error(`unexpected snapshot name: ${String(name)}`);
  }
  return name;
}

/**
 * Runs `fn` on a second connection that sees exactly the exporting transaction's snapshot, while
 * that transaction goes on. Whatever `fn` writes (temporary tables) is rolled back: it only reads
 * and returns, so what is stored is stored by the exporting transaction, all or nothing. The
 * exporting transaction must stay open until this settles.
 */
export async function onSnapshot<T>(
  pool: pg.Pool,
  snapshot: string,
  fn: (tx: pg.PoolClient) => Promise<T>,
): Promise<T> {
  if (!SNAPSHOT_NAME.test(snapshot)) throw new Error(`unexpected snapshot name: ${snapshot}`);
  const client = await connect(pool);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
    return await fn(client);
  } catch (err) {
    throw dbError(err);
  } finally {
    broken = await rollback(client);
    client.release(broken);
  }
}
