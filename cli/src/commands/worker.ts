import type { Command } from 'commander';
import { createQueues, type QueueFactory } from '@citycard/core/queue';
import type { Logger } from '@citycard/core/logging';
import {
  scheduleShadowPosting,
  SHADOW_POSTING_QUEUE,
  startShadowPostingWorker,
} from '@citycard/card-issuance';
import { issuancePool } from '../issuance.js';
import { jobDefinitions } from '../jobs.js';
import { startGatewayWorker } from '../gateway.js';
import { startClearingJobs } from './clearing.js';
import { openPlatform, type Platform } from '../platform.js';
import { untilSignal } from '../signals.js';

export function openQueues(platform: Platform): QueueFactory {
  return createQueues({
    ...(platform.config.REDIS_URL === undefined ? {} : { redisUrl: platform.config.REDIS_URL }),
    databaseUrl: platform.databaseUrl,
    log: platform.log,
  });
}

export function startWorkers(queues: QueueFactory, log: Logger): void {
  for (const def of jobDefinitions) {
    queues.worker(def.queue, (job) => def.process(job.name, job.data, log), {
      concurrency: def.concurrency,
    });
    log.info({ queue: def.queue, backend: queues.backend }, 'worker started');
  }
}

/** Issuance's shadow balances follow what the gateway accepted: a repeatable job, every minute. */
export async function startShadowPosting(
  queues: QueueFactory,
  platform: Platform,
): Promise<{ close(): Promise<void> }> {
  const db = issuancePool(platform);
  startShadowPostingWorker(queues, { db, log: platform.log });
  await scheduleShadowPosting(queues);
  platform.log.info({ queue: SHADOW_POSTING_QUEUE }, 'shadow posting scheduled');
  return { close: () => db.end() };
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run the job processors (BullMQ on Redis when REDIS_URL is set, else on PostgreSQL)',
    )
    .action(async () => {
      const platform = await openPlatform('worker');
      const queues = openQueues(platform);
      let gateway: { close(): Promise<void> } | undefined;
      let clearingJobs: { close(): Promise<void> } | undefined;
      let shadow: { close(): Promise<void> } | undefined;
      try {
        startWorkers(queues, platform.log);
        gateway = startGatewayWorker(queues, platform);
        shadow = await startShadowPosting(queues, platform);
        clearingJobs = await startClearingJobs(queues, platform);
        const signal = await untilSignal();
        platform.log.info({ signal }, 'shutting down');
      } finally {
        await queues.close();
        await gateway?.close();
        await shadow?.close();
        await clearingJobs?.close();
        await platform.close();
      }
    });
}
