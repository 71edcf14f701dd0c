import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../errors/index.js';
import { createLogger } from '../logging/index.js';
import {
  createQueues,
  type AppJob,
  type AppWorker,
  type QueueFactory,
  type QueueFactoryOptions,
} from './index.js';

const databaseUrl = process.env.DATABASE_URL ?? '';
const redisUrl = process.env.REDIS_URL?.trim() ?? '';
const schema = `queue_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const prefix = `test-${randomUUID()}`;
const log = createLogger({ name: 'queue-test', level: 'silent' });

interface BackendCase {
  readonly kind: 'postgres' | 'redis';
  readonly options: QueueFactoryOptions;
}
const backends: BackendCase[] = [
  { kind: 'postgres', options: { databaseUrl, schema, poolSize: 4, log } },
  ...(redisUrl ? [{ kind: 'redis' as const, options: { redisUrl, prefix, log } }] : []),
];

if (!redisUrl) {
  describe('queues on redis', () => {
    it.skip('skipped: REDIS_URL is not set, so only the PostgreSQL backend is tested', () =>
      undefined);
  });
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

/** The next job the worker completes, and its result; fails after a deadline. */
function completion<D, R>(worker: AppWorker<D, R>, ms = 20_000): Promise<[AppJob<D, R>, R]> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no completed job within ${ms} ms`)), ms);
    worker.once('completed', (job, result) => {
      clearTimeout(timer);
      done([job, result]);
    });
  });
}

describe.each(backends)('queues on $kind', ({ kind, options }) => {
  const opened: Array<{ factory: QueueFactory; names: string[] }> = [];

  /** A factory and a fresh queue name; both are cleaned up after the test. */
  function open(): { queues: QueueFactory; name: string } {
    const queues = createQueues(options);
    const name = `test-${randomUUID()}`;
    opened.push({ factory: queues, names: [name] });
    return { queues, name };
  }

  afterEach(async () => {
    const done = opened.splice(0);
    await Promise.all(done.map((o) => o.factory.close()));
    const sweeper = createQueues(options);
    for (const name of done.flatMap((o) => o.names))
      await sweeper.queue(name).obliterate({ force: true });
    await sweeper.close();
  });

  it('chooses the backend from the options', () => {
    const { queues } = open();
    expect(queues.backend).toBe(kind);
  });

  it('processes an added job and keeps its result', async () => {
    const { queues, name } = open();
    const worker = queues.worker<{ n: number }, { doubled: number }>(name, (job) =>
      Promise.resolve({ doubled: job.data.n * 2 }),
    );
    const completed = completion(worker);
    const job = await queues
      .queue<{ n: number }, { doubled: number }>(name)
      .add('double', { n: 21 });
    const [done, result] = await completed;
    expect(done.id).toBe(job.id);
    expect(result).toEqual({ doubled: 42 });
    const stored = await queues
      .queue<{ n: number }, { doubled: number }>(name)
      .getJob(job.id ?? '');
    expect(stored?.returnvalue).toEqual({ doubled: 42 });
    expect(await stored?.getState()).toBe('completed');
  });

  it('retries a failing job with back-off until it succeeds', async () => {
    const { queues, name } = open();
    let calls = 0;
    const worker = queues.worker(name, () => {
      calls += 1;
      return calls < 3
        ? Promise.reject(new Error(`attempt ${calls} fails`))
        : Promise.resolve('third time');
    });
    const failures: string[] = [];
    worker.on('failed', (_job, err) => failures.push(err.message));
    const completed = completion(worker);
    const started = Date.now();
    await queues
      .queue(name)
      .add('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delay: 200 } });
    const [job, result] = await completed;
    expect(result).toBe('third time');
    expect(calls).toBe(3);
    expect(failures).toEqual(['attempt 1 fails', 'attempt 2 fails']);
    expect(job.attemptsMade).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('round-trips decimal strings in job data and results untouched', async () => {
    const { queues, name } = open();
    const data = {
      amount: '12345678901234567890.12',
      fee: '0.10',
      refund: '-0.01',
      rate: '0.0000010',
      lines: ['1.00', '2.50', '999999999999.99'],
    };
    const seen: unknown[] = [];
    const worker = queues.worker<typeof data, typeof data>(name, (job) => {
      seen.push(job.data);
      return Promise.resolve(job.data);
    });
    const completed = completion(worker);
    await queues.queue<typeof data, typeof data>(name).add('settle', data);
    const [, result] = await completed;
    expect(seen).toEqual([data]);
    expect(result).toEqual(data);
  });

  it('runs a job scheduler every interval until it is removed', async () => {
    const { queues, name } = open();
    const runs: string[] = [];
    let third: () => void = () => undefined;
    const threeRuns = new Promise<void>((done) => (third = done));
    queues.worker<{ batch: string }>(name, (job) => {
      runs.push(`${job.name}:${job.data.batch}`);
      if (runs.length === 3) third();
      return Promise.resolve();
    });
    await queues.schedule(
      name,
      'sweep',
      { every: 250 },
      { name: 'sweep-run', data: { batch: '0.00' } },
    );
    await threeRuns;
    expect(runs.slice(0, 3)).toEqual(['sweep-run:0.00', 'sweep-run:0.00', 'sweep-run:0.00']);
    expect(await queues.unschedule(name, 'sweep')).toBe(true);
    expect(await queues.queue(name).getJobSchedulers()).toEqual([]);
  });

  it('closes idempotently and refuses new work afterwards', async () => {
    const { queues, name } = open();
    queues.worker(name, () => Promise.resolve());
    await queues.queue(name).waitUntilReady();
    await Promise.all([queues.close(), queues.close()]);
    await queues.close();
    let err: unknown;
    try {
      queues.queue(name);
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe('QUEUE_UNAVAILABLE');
  });

  it('lets the process exit after close()', async () => {
    const { code, output } = await runExitProbe(options);
    expect(output).toContain('closed');
    expect(code, output).toBe(0);
  });
});

/**
 * Runs add → process → schedule → close in a fresh Node process that never calls process.exit:
 * it only ends if close() released every socket and timer.
 */
async function runExitProbe(
  options: QueueFactoryOptions,
): Promise<{ code: number | null; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'citycard-queue-exit-'));
  const script = join(dir, 'probe.mts');
  const factoryUrl = pathToFileURL(resolve(import.meta.dirname, 'index.ts')).href;
  await writeFile(
    script,
    `import { createQueues } from ${JSON.stringify(factoryUrl)};
const queues = createQueues(JSON.parse(process.env.PROBE_OPTIONS ?? '{}'));
const name = 'test-exit-' + Math.random().toString(16).slice(2);
const worker = queues.worker(name, async () => 'ok');
const done = new Promise((r) => worker.once('completed', r));
await queues.queue(name).add('probe', {});
await done;
await queues.schedule(name, 'tick', { every: 60000 });
await queues.queue(name).obliterate({ force: true });
await queues.close();
console.log('closed');
setTimeout(() => console.log('still open:', process.getActiveResourcesInfo().join(',')), 5000).unref();
`,
  );
  const { log: _log, ...plain } = options;
  try {
    return await new Promise((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: resolve(import.meta.dirname, '../../..'),
        env: { ...process.env, PROBE_OPTIONS: JSON.stringify(plain) },
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`the process did not exit after close():\n${output}`));
      }, 30_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        done({ code, output });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
