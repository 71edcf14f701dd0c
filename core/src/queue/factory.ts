import { AppError } from '../errors/index.js';
import { createLogger } from '../logging/index.js';
import { postgresBackend, redisBackend, type Backend, type Closable } from './backends.js';
import type { AppQueue, AppWorker, QueueFactory, QueueFactoryOptions, QueueLog } from './types.js';

export const DEFAULT_SCHEMA = 'citycard_queue';
export const DEFAULT_PREFIX = 'citycard';

type AnyQueue = AppQueue & Closable;
type AnyWorker = AppWorker & Closable;

/**
 * Queues and workers on Redis when `redisUrl` is set, else on PostgreSQL, so job code is the
 * same either way. Everything created here is closed by `close()`.
 */
export function createQueues(options: QueueFactoryOptions = {}): QueueFactory {
  const log = options.log ?? createLogger({ name: 'queue' });
  const backend = chooseBackend(options, log);
  const queues = new Map<string, AnyQueue>();
  const workers = new Set<AnyWorker>();
  let closing: Promise<void> | undefined;

  const assertOpen = (): void => {
    if (closing !== undefined)
      throw new AppError('QUEUE_UNAVAILABLE', { message: 'The queue factory is closed' });
  };
  const queue = <D, R>(name: string): AppQueue<D, R> => {
    assertOpen();
    let q = queues.get(name);
    if (q === undefined) {
      q = backend.queue<unknown, unknown>(name);
      q.on('error', (err) => log.error({ err, queue: name }, 'queue error'));
      queues.set(name, q);
    }
    // The job types are the caller's declaration; one queue name carries one kind of job.
    return q as unknown as AppQueue<D, R>;
  };

  return {
    backend: backend.kind,
    queue,
    worker(name, processor, workerOptions = {}) {
      assertOpen();
      const worker = backend.worker(name, processor, workerOptions.concurrency ?? 1);
      watchWorker(worker as unknown as AnyWorker, name, log);
      workers.add(worker as unknown as AnyWorker);
      return worker;
    },
    async schedule(queueName, schedulerId, spec, template = {}) {
      await queue(queueName).upsertJobScheduler(schedulerId, spec, {
        name: template.name ?? schedulerId,
        ...(template.data === undefined ? {} : { data: template.data }),
        ...(template.opts === undefined ? {} : { opts: template.opts }),
      });
    },
    unschedule: (queueName, schedulerId) => queue(queueName).removeJobScheduler(schedulerId),
    close() {
      closing ??= closeAll([...workers], [...queues.values()], backend, log);
      return closing;
    },
  };
}

function chooseBackend(options: QueueFactoryOptions, log: QueueLog): Backend {
  const redisUrl = options.redisUrl?.trim();
  if (redisUrl) return redisBackend(redisUrl, options.prefix ?? DEFAULT_PREFIX, log);
  const databaseUrl = options.databaseUrl?.trim();
  if (!databaseUrl) {
    throw new AppError('QUEUE_UNAVAILABLE', {
      message:
        'No queue backend: set REDIS_URL for Redis, or DATABASE_URL for the PostgreSQL backend',
    });
  }
  return postgresBackend(databaseUrl, options.schema ?? DEFAULT_SCHEMA, options.poolSize ?? 10);
}

function watchWorker(worker: AnyWorker, queue: string, log: QueueLog): void {
  worker.on('failed', (job, err) => {
    log.warn({ err, queue, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'job failed');
  });
  worker.on('error', (err) => log.error({ err, queue }, 'worker error'));
}

/** Workers first so no job is fetched from a closed queue; shared connections last. */
async function closeAll(
  workers: Closable[],
  queues: Closable[],
  backend: Backend,
  log: QueueLog,
): Promise<void> {
  const report = (what: string) => (result: PromiseSettledResult<void>) => {
    if (result.status === 'rejected')
      log.warn({ err: result.reason as unknown }, `closing ${what} failed`);
  };
  (await Promise.allSettled(workers.map((w) => w.close()))).forEach(report('a worker'));
  (await Promise.allSettled(queues.map((q) => q.close()))).forEach(report('a queue'));
  (await Promise.allSettled([backend.close()])).forEach(report('the queue connection'));
}
