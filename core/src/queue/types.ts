import type { Job, JobSchedulerTemplateOptions, Processor, Queue, Worker } from 'bullmq';
import type { Logger } from '../logging/index.js';

export type QueueBackendKind = 'redis' | 'postgres';

/**
 * The part of BullMQ's Queue that behaves the same on both backends. Typed from the Redis
 * class because the methods are shared; the connection type parameter is the only difference.
 */
export type AppQueue<D = unknown, R = unknown> = Pick<
  Queue<D, R>,
  | 'name'
  | 'add'
  | 'addBulk'
  | 'getJob'
  | 'getJobs'
  | 'getJobCounts'
  | 'getJobState'
  | 'upsertJobScheduler'
  | 'removeJobScheduler'
  | 'getJobScheduler'
  | 'getJobSchedulers'
  | 'pause'
  | 'resume'
  | 'isPaused'
  | 'obliterate'
  | 'waitUntilReady'
  | 'on'
  | 'once'
  | 'off'
>;

export type AppWorker<D = unknown, R = unknown> = Pick<
  Worker<D, R>,
  | 'name'
  | 'concurrency'
  | 'pause'
  | 'resume'
  | 'isRunning'
  | 'isPaused'
  | 'waitUntilReady'
  | 'on'
  | 'once'
  | 'off'
>;

export type JobProcessor<D = unknown, R = unknown> = Processor<D, R>;
export type AppJob<D = unknown, R = unknown> = Job<D, R>;

export type QueueLog = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface QueueFactoryOptions {
  /** Set: BullMQ on Redis. Unset: BullMQ's PostgreSQL backend on `databaseUrl`. */
  readonly redisUrl?: string;
  readonly databaseUrl?: string;
  /** PostgreSQL schema holding the queue tables. Default citycard_queue. */
  readonly schema?: string;
  /** Redis key prefix. Default citycard. */
  readonly prefix?: string;
  /** PostgreSQL connections per queue or worker (each has its own pool). Default 10. */
  readonly poolSize?: number;
  readonly log?: QueueLog;
}

export interface WorkerOptions {
  /** Jobs processed at once by this worker. Default 1. */
  readonly concurrency?: number;
}

/** Cron (`pattern`, in `tz` or UTC) or a fixed interval in milliseconds (`every`). */
export type ScheduleSpec =
  { readonly pattern: string; readonly tz?: string } | { readonly every: number };

export interface JobTemplate<D> {
  /** Job name; defaults to the scheduler id. */
  readonly name?: string;
  readonly data?: D;
  readonly opts?: JobSchedulerTemplateOptions;
}

export interface QueueFactory {
  readonly backend: QueueBackendKind;
  /** One Queue per name, created on first use and closed by `close()`. */
  queue<D = unknown, R = unknown>(name: string): AppQueue<D, R>;
  /** A new worker, running at once; closed by `close()`. */
  worker<D = unknown, R = unknown>(
    name: string,
    processor: JobProcessor<D, R>,
    options?: WorkerOptions,
  ): AppWorker<D, R>;
  /** Creates or replaces the scheduler `schedulerId` on the queue (its jobs need a worker). */
  schedule<D = unknown>(
    queueName: string,
    schedulerId: string,
    spec: ScheduleSpec,
    template?: JobTemplate<D>,
  ): Promise<void>;
  unschedule(queueName: string, schedulerId: string): Promise<boolean>;
  /** Workers first (active jobs finish), then queues, then shared connections. Safe to repeat. */
  close(): Promise<void>;
}
