import type { Logger } from '@citycard/core/logging';

/**
 * The job processors a `citycard worker` runs, by queue. Services add theirs here (the nightly
 * clearing run, per-card continuity checks); the maintenance queue proves the path end to end.
 */
export interface JobDefinition {
  readonly queue: string;
  readonly concurrency: number;
  process(name: string, data: unknown, log: Logger): Promise<unknown>;
}

export const maintenanceQueue = 'maintenance';

export const jobDefinitions: readonly JobDefinition[] = [
  {
    queue: maintenanceQueue,
    concurrency: 1,
    process(name, data) {
      if (name === 'ping') return Promise.resolve({ pong: data, at: new Date().toISOString() });
      return Promise.reject(new Error(`unknown maintenance job ${name}`));
    },
  },
];
