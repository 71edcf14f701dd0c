import { createPostgresBackend, Queue, Worker, withBackend, type DefaultJobOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { AppQueue, AppWorker, JobProcessor, QueueBackendKind, QueueLog } from './types.js';

/** How one backend builds queues and workers, and releases what it shares between them. */
export interface Backend {
  readonly kind: QueueBackendKind;
  queue<D, R>(name: string): AppQueue<D, R> & Closable;
  worker<D, R>(
    name: string,
    processor: JobProcessor<D, R>,
    concurrency: number,
  ): AppWorker<D, R> & Closable;
  close(): Promise<void>;
}

export interface Closable {
  close(): Promise<void>;
}

/** Finished jobs are kept long enough to read a result or investigate, not forever. */
const defaultJobOptions: DefaultJobOptions = {
  // Age only: a count-based limit makes BullMQ's PostgreSQL backend trim on every completion,
  // which measured 3× slower (bench:queue); a day of completed jobs is cheap to keep.
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * Queues share one client; commands fail after a few retries so a producer (an HTTP handler)
 * answers an error instead of hanging. Workers get their own connections from BullMQ, with
 * `maxRetriesPerRequest: null` as its blocking commands require.
 */
export function redisBackend(url: string, prefix: string, log: QueueLog): Backend {
  let shared: Redis | undefined;
  const producer = (): Redis => {
    shared ??= new Redis(url, { maxRetriesPerRequest: 3 }).on('error', (err: Error) => {
      log.warn({ err }, 'queue connection error');
    });
    return shared;
  };
  return {
    kind: 'redis',
    queue: <D, R>(name: string) =>
      new Queue<D, R>(name, { connection: producer(), prefix, defaultJobOptions }),
    worker: <D, R>(name: string, processor: JobProcessor<D, R>, concurrency: number) =>
      new Worker<D, R>(name, processor, {
        connection: { url, maxRetriesPerRequest: null },
        prefix,
        concurrency,
      }),
    async close() {
      if (shared === undefined) return;
      await shared.quit().catch(() => shared?.disconnect());
    },
  };
}

/**
 * Each queue and worker owns a pool on the shared schema; the first to connect applies BullMQ's
 * migrations (they take an advisory lock, so concurrent starts are safe).
 */
export function postgresBackend(databaseUrl: string, schema: string, poolSize: number): Backend {
  const pg = withBackend(createPostgresBackend);
  const connection = { connectionString: databaseUrl, schema, migrate: true, max: poolSize };
  return {
    kind: 'postgres',
    // The classes are BullMQ's own; only their connection type parameter differs from AppQueue's.
    queue: <D, R>(name: string) =>
      new pg.Queue<D, R>(name, { connection, defaultJobOptions }) as unknown as AppQueue<D, R> &
        Closable,
    worker: <D, R>(name: string, processor: JobProcessor<D, R>, concurrency: number) =>
      new pg.Worker<D, R>(name, processor, { connection, concurrency }) as unknown as AppWorker<
        D,
        R
      > &
        Closable,
    close: () => Promise.resolve(),
  };
}
