import { randomUUID } from 'node:crypto';
import { createPool } from '@citycard/core/db';
import { createQueues, type QueueFactory } from '@citycard/core/queue';
import { benchDatabase } from './database.js';
import { printFigures, round } from './figures.js';

/**
 * Jobs through the queue factory (add in bulk, then process), against this machine's own limit
 * for the same work: one row per job inserted into PostgreSQL with a multi-row INSERT.
 */
const jobs = Number(process.env.BENCH_JOBS ?? 5000);
const concurrency = 50;

async function throughput(queues: QueueFactory): Promise<{ addPerS: number; processPerS: number }> {
  const name = `bench-${randomUUID()}`;
  const queue = queues.queue<{ amount: string }>(name);
  let done = 0;
  let finished: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (finished = resolve));
  const addStart = performance.now();
  for (let i = 0; i < jobs; i += 500) {
    const batch = Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({
      name: 'tap',
      data: { amount: `${(i + k) % 1000}.50` },
    }));
    await queue.addBulk(batch);
  }
  const addS = (performance.now() - addStart) / 1000;
  const processStart = performance.now();
  const worker = queues.worker(
    name,
    () => {
      done += 1;
      if (done === jobs) finished();
      return Promise.resolve(done);
    },
    { concurrency },
  );
  await allDone;
  const processS = (performance.now() - processStart) / 1000;
  await worker.pause();
  await queue.obliterate({ force: true });
  return { addPerS: jobs / addS, processPerS: jobs / processS };
}

async function insertLimit(url: string): Promise<number> {
  const pool = createPool({ url, applicationName: 'bench-queue' });
  try {
    const table = `bench_rows_${randomUUID().replaceAll('-', '')}`;
    await pool.query(
      `CREATE UNLOGGED TABLE ${table} (id bigserial primary key, name text, data jsonb, created_at timestamptz default now())`,
    );
    const start = performance.now();
    for (let i = 0; i < jobs; i += 500) {
      const n = Math.min(500, jobs - i);
      const values = Array.from({ length: n }, (_, k) => `('tap', $${k + 1}::jsonb)`).join(',');
      await pool.query(
        `INSERT INTO ${table} (name, data) VALUES ${values}`,
        Array.from({ length: n }, (_, k) => JSON.stringify({ amount: `${(i + k) % 1000}.50` })),
      );
    }
    const perS = jobs / ((performance.now() - start) / 1000);
    await pool.query(`DROP TABLE ${table}`);
    return perS;
  } finally {
    await pool.end();
  }
}

const db = await benchDatabase();
try {
  const limit = await insertLimit(db.url);
  const pgQueues = createQueues({
    databaseUrl: db.url,
    poolSize: Number(process.env.BENCH_POOL ?? 10),
    schema: `bench_queue_${randomUUID().slice(0, 8)}`,
  });
  const onPg = await throughput(pgQueues).finally(() => pgQueues.close());
  const figures: Record<string, number | string> = {
    jobs,
    worker_concurrency: concurrency,
    pg_insert_rows_per_s: round(limit, 0),
    pg_backend_add_jobs_per_s: round(onPg.addPerS, 0),
    pg_backend_process_jobs_per_s: round(onPg.processPerS, 0),
    pg_backend_process_ratio_to_insert: round(onPg.processPerS / limit, 3),
  };
  if (process.env.REDIS_URL) {
    const redisQueues = createQueues({
      redisUrl: process.env.REDIS_URL,
      prefix: `bench-${randomUUID().slice(0, 8)}`,
    });
    const onRedis = await throughput(redisQueues).finally(() => redisQueues.close());
    figures.redis_backend_add_jobs_per_s = round(onRedis.addPerS, 0);
    figures.redis_backend_process_jobs_per_s = round(onRedis.processPerS, 0);
    figures.redis_backend_process_ratio_to_insert = round(onRedis.processPerS / limit, 3);
  }
  printFigures('queue', figures);
} finally {
  await db.stop();
}
