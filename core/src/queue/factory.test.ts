import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors/index.js';
import { createLogger } from '../logging/index.js';
import { createQueues } from './index.js';

const log = createLogger({ name: 'queue-test', level: 'silent' });

describe('createQueues', () => {
  it('refuses to start with neither a Redis nor a database URL', () => {
    let err: unknown;
    try {
      createQueues({ redisUrl: ' ', log });
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe('QUEUE_UNAVAILABLE');
  });

  it('prefers Redis when both URLs are given, and connects only on first use', async () => {
    const queues = createQueues({
      redisUrl: 'redis://127.0.0.1:1',
      databaseUrl: 'postgres://x@127.0.0.1:1/x',
      log,
    });
    expect(queues.backend).toBe('redis');
    await queues.close();
  });

  it('falls back to the PostgreSQL backend without REDIS_URL', async () => {
    const queues = createQueues({ databaseUrl: 'postgres://x@127.0.0.1:1/x', log });
    expect(queues.backend).toBe('postgres');
    await queues.close();
    expect(() => queues.queue('jobs')).toThrow(/closed/);
  });
});
