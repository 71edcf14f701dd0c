export { createQueues, DEFAULT_PREFIX, DEFAULT_SCHEMA } from './factory.js';
export type {
  AppJob,
  AppQueue,
  AppWorker,
  JobProcessor,
  JobTemplate,
  QueueBackendKind,
  QueueFactory,
  QueueFactoryOptions,
  QueueLog,
  ScheduleSpec,
  WorkerOptions,
} from './types.js';
