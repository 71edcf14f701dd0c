import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@citycard/core/logging';
import { createQueues, type AppWorker, type QueueFactory } from '@citycard/core/queue';
import { defaultClearingSettings, type ClearingDeps, type ClearingSettings } from '../deps.js';
import { getRun } from '../run/index.js';
import { addPayees, noonOf } from '../settlement/test-fixtures.js';
import { createClearingTestDb, insertTransactions, type ClearingTestDb } from '../testing/index.js';
import {
  enqueueClearingRun,
  NIGHTLY_SCHEDULER_ID,
  nightlyRunsTotal,
  scheduleNightlyClearing,
  SCHEDULER_ACTOR,
  startClearingWorker,
  type NightlyJobData,
  type NightlyJobResult,
} from './index.js';

const redisUrl = process.env.REDIS_URL?.trim() ?? '';
const databaseUrl = process.env.DATABASE_URL ?? '';
let t: ClearingTestDb;
const logLines: Record<string, unknown>[] = [];
const log = createLogger({
  name: 'clearing-job-test',
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  }),
});
const opened: { queues: QueueFactory; name: string }[] = [];

/** A factory on Redis (or, without REDIS_URL, on PostgreSQL) and a queue name of this test's own. */
function open(): { queues: QueueFactory; name: string } {
  const queues = createQueues(
    redisUrl
      ? { redisUrl, prefix: `test-${randomUUID()}`, log }
      : { databaseUrl, schema: `q_${randomUUID().slice(0, 8)}`, log },
  );
  const name = `test-${randomUUID()}`;
  opened.push({ queues, name });
  return { queues, name };
}

function deps(at: Date, settings: ClearingSettings = defaultClearingSettings): ClearingDeps {
  return { db: t.pool, log, clock: () => at, settings };
}

function completions(
  worker: AppWorker<NightlyJobData, NightlyJobResult>,
  n: number,
): Promise<NightlyJobResult[]> {
  const results: NightlyJobResult[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no completed job within 30 s')), 30_000);
    worker.on('completed', (_job, result) => {
      results.push(result);
      if (results.length === n) {
        clearTimeout(timer);
        resolve(results);
      }
    });
  });
}

beforeAll(async () => {
  t = await createClearingTestDb();
  await addPayees(t.pool, ['metro']);
});
afterEach(async () => {
  const done = opened.splice(0);
  for (const o of done) {
    await o.queues.queue(o.name).obliterate({ force: true });
    await o.queues.close();
  }
});
afterAll(async () => {
  await t?.close();
});

describe('nightly clearing job', () => {
  it('is scheduled by cron in the clearing time zone, with retries', async () => {
    const { queues, name } = open();
    await scheduleNightlyClearing(queues, defaultClearingSettings, name);
    const [scheduler] = await queues.queue(name).getJobSchedulers();
    expect(scheduler).toMatchObject({
      key: NIGHTLY_SCHEDULER_ID,
      pattern: '30 4 * * *',
      tz: 'Asia/Shanghai',
    });
    expect(scheduler?.template?.opts).toMatchObject({
      attempts: defaultClearingSettings.nightlyAttempts,
    });
  });

  it("clears the day that closed last, once: the scheduler's job runs it, a second job keeps it", async () => {
    await insertTransactions(t.pool, [
      {
        terminalId: 'metro-T1',
        sequence: 1,
        operatorId: 'metro',
        amount: '3.00',
        occurredAt: noonOf('2001-06-02'),
      },
      {
        terminalId: 'metro-T1',
        sequence: 2,
        operatorId: 'metro',
        amount: '4.00',
        occurredAt: noonOf('2001-06-02'),
      },
    ]);
    const { queues, name } = open();
    // 04:30 on 3 June in Shanghai: business day 2 June has closed.
    const at = new Date('2001-06-02T20:30:00Z');
    const every = { ...defaultClearingSettings, nightlyCron: '* * * * * *' };
    const worker = startClearingWorker(queues, deps(at, every), name);
    const first = completions(worker, 1);
    await scheduleNightlyClearing(queues, every, name);
    const [ran] = await first;
    expect(await queues.unschedule(name, NIGHTLY_SCHEDULER_ID)).toBe(true);
    expect(ran).toMatchObject({ day: '2001-06-02', outcome: 'ran', status: 'computed' });
    expect(ran?.reconciliationId).toEqual(expect.any(String));
    const run = await getRun(t.pool, ran?.runId ?? '');
    expect(run.startedBy).toBe(SCHEDULER_ACTOR);
    expect(run.totalGross.toString()).toBe('7.00');

    const second = completions(worker, 1);
    await enqueueClearingRun(queues, every, { day: '2001-06-02' }, name);
    expect((await second)[0]).toMatchObject({ runId: run.id, outcome: 'kept' });
  });

  it('retries a failing run and raises the alert after the last attempt', async () => {
    const { queues, name } = open();
    const settings = { ...defaultClearingSettings, nightlyAttempts: 2, nightlyBackoffMs: 10 };
    const before =
      (await nightlyRunsTotal.get()).values.find((v) => v.labels.outcome === 'failed')?.value ?? 0;
    const worker = startClearingWorker(
      queues,
      deps(new Date('2001-07-01T00:00:00Z'), settings),
      name,
    );
    const failedTwice = new Promise<void>((resolve) => {
      let n = 0;
      worker.on('failed', () => {
        n += 1;
        if (n === 2) resolve();
      });
    });
    await enqueueClearingRun(queues, settings, { day: '2001-02-30' }, name);
    await failedTwice;
    await new Promise((r) => setTimeout(r, 50));
    const alerts = logLines.filter((l) => l.alert === 'CLEARING_NIGHTLY_FAILED');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      level: 50,
      day: '2001-02-30',
      code: 'CLEARING_DAY_INVALID',
      attemptsMade: 2,
    });
    const after =
      (await nightlyRunsTotal.get()).values.find((v) => v.labels.outcome === 'failed')?.value ?? 0;
    expect(after - before).toBe(1);
  });
});
