import type pg from 'pg';
import { isRetryableTransactionError, toDbError } from './db-errors.js';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** Extra attempts after a serialization failure or deadlock; 0 (the default) never retries. */
  retries?: number;
}

const ISOLATION_SQL: Record<IsolationLevel, string> = {
  'read committed': 'BEGIN ISOLATION LEVEL READ COMMITTED',
  'repeatable read': 'BEGIN ISOLATION LEVEL REPEATABLE READ',
  serializable: 'BEGIN ISOLATION LEVEL SERIALIZABLE',
};

/**
 * Runs `fn` inside BEGIN … COMMIT on one pooled client. `fn` may run more than once when retries
 * are allowed, so it must not have side effects outside the database.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (tx: pg.PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await runOnce(pool, fn, ISOLATION_SQL[options.isolation ?? 'read committed']);
    } catch (err) {
      if (attempt >= retries || !isRetryableTransactionError(err)) throw toDbError(err);
      await sleep(backoffMs(attempt));
    }
  }
}

async function runOnce<T>(
  pool: pg.Pool,
  fn: (tx: pg.PoolClient) => Promise<T>,
  begin: string,
): Promise<T> {
  const client = await pool.connect().catch((err: unknown) => {
    throw toDbError(err);
  });
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken = await rollback(client);
    throw err;
  } finally {
    // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
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

// Jitter spreads out the transactions that collided so they do not collide again in lock-step.
function backoffMs(attempt: number): number {
  const base = Math.min(10 * 2 ** attempt, 200);
  return base / 2 + Math.random() * base;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
