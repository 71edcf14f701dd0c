import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { migrate, migrationStatus } from '@citycard/core/db';
import { createKeyAndCsr } from '@citycard/core/crypto';
import { AppError } from '@citycard/core/errors';
import { maintenanceQueue } from '../jobs.js';
import {
  migrationSources,
  openPlatform,
  services,
  type Platform,
  type ServiceName,
} from '../platform.js';
import { progressBar } from '../progress.js';
import { startServices } from './serve.js';
import { openQueues, startWorkers } from './worker.js';
import { openPkiStore } from './pki.js';

/**
 * The README's main job. Until the city-day story exists it brings the whole platform up on the
 * embedded defaults, proves each moving part once, says what it did, and shuts down cleanly.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start the platform on the embedded defaults, check every part, report, stop')
    .option('--keep-running', 'leave the services and the worker running until Ctrl-C')
    .action(async (opts: { keepRunning?: boolean }) => {
      process.env.CITYCARD_MODE ??= 'demo';
      const started = Date.now();
      const platform = await openPlatform('demo');
      try {
        await runDemo(platform, opts.keepRunning === true);
        console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      } finally {
        await platform.close();
      }
    });
}

async function runDemo(platform: Platform, keepRunning: boolean): Promise<void> {
  const say = (line: string): void => console.log(`  ✓ ${line}`);
  console.log(
    `citycard demo (mode ${platform.config.CITYCARD_MODE}, data in ${path.resolve(platform.config.CITYCARD_DATA_DIR)})`,
  );
  say(
    platform.embedded
      ? `PostgreSQL: embedded, ${platform.databaseReuse}`
      : 'PostgreSQL: DATABASE_URL',
  );

  const pending = (await migrationStatus(platform.pool, migrationSources)).filter(
    (r) => r.state === 'pending',
  );
  const bar = progressBar('  migrating', pending.length);
  const migrated = await migrate(platform.pool, migrationSources, {
    onFile: (f) => bar.tick(`${f.schema}/${f.name}`),
  });
  bar.stop();
  say(
    `schemas migrated: ${migrated.applied.length} applied, ${migrated.skipped} already there (${migrationSources.map((s) => s.schema).join(', ')})`,
  );

  const store = await openPkiStore();
  const created = await store.caCertPem().then(
    () => false,
    async (err: unknown) => {
      if (!(err instanceof AppError) || err.code !== 'PKI_NOT_INITIALISED') throw err;
      await store.init({ commonName: 'citycard demo CA', validityDays: 3650 });
      return true;
    },
  );
  const { csrPem } = createKeyAndCsr({ commonName: 'demo-terminal' });
  const issued = await store.issue({
    csrPem,
    role: 'terminal',
    subjectId: `DEMO-${randomUUID().slice(0, 8)}`,
    validityDays: 1,
  });
  const verified = await store.verify(issued.certPem);
  say(
    `platform CA ${created ? 'created' : 'reused'}; terminal certificate ${verified.subjectId} issued and verified`,
  );

  const queues = openQueues(platform);
  try {
    startWorkers(queues, platform.log);
    const job = await queues.queue(maintenanceQueue).add('ping', { from: 'demo' });
    const result = await waitForResult(queues, maintenanceQueue, job.id ?? '', 30_000);
    say(
      `job queue on ${queues.backend === 'redis' ? 'Redis' : 'PostgreSQL'}: ping answered ${JSON.stringify(result)}`,
    );

    const names = Object.keys(services) as ServiceName[];
    const running = await startServices(names, platform, {
      host: '127.0.0.1',
      ports: {},
      logLevel: 'warn',
    });
    try {
      for (const svc of running) {
        const res = await fetch(`${svc.url}/readyz`);
        if (!res.ok)
          throw new AppError('SERVICE_UNAVAILABLE', {
            message: `${svc.name} is not ready (${res.status})`,
          });
        say(`${svc.name} ready at ${svc.url}`);
      }
      if (keepRunning) {
        console.log('\nRunning; press Ctrl-C to stop.');
        const { untilSignal } = await import('../signals.js');
        await untilSignal();
      }
    } finally {
      await Promise.all(running.map((r) => r.close()));
    }
  } finally {
    await queues.close();
  }
}

async function waitForResult(
  queues: ReturnType<typeof openQueues>,
  queueName: string,
  jobId: string,
  timeoutMs: number,
): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  const queue = queues.queue(queueName);
  while (Date.now() < deadline) {
    const job = await queue.getJob(jobId);
    const state = job === undefined ? 'missing' : await job.getState();
    if (state === 'completed') return job?.returnvalue;
    if (state === 'failed')
      throw new AppError('QUEUE_UNAVAILABLE', {
        message: `job ${jobId} failed: ${job?.failedReason ?? ''}`,
      });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new AppError('QUEUE_UNAVAILABLE', {
    message: `job ${jobId} did not finish within ${timeoutMs} ms`,
  });
}
