import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createRouter } from '@citycard/core/http';
import { registerRegistryRoutes, type StaffRouter } from '../admin/registry.routes.js';
import { registerPublishRoutes } from '../admin/publish.routes.js';
import type { GatewayDeps } from '../deps.js';
import { registerMetricsRoute } from '../metrics/index.js';
import { authenticateStaff, type StaffPrincipal, type StaffRole } from '../staff/index.js';
import { registerTerminalRoutes, type TerminalRouter } from '../terminals/index.js';
import {
  distributionRoutes,
  registerConditionalGet,
  registerTimeRoute,
} from './distribution.routes.js';
import { defaultHotlistPolicy, hotlistView, type HotlistPolicy } from './hotlist.repository.js';
import { createSharedTerminalRateLimiter } from './shared-rate-limit.js';
import {
  createTerminalRateLimiter,
  defaultTerminalRateLimits,
  registerTerminalRateLimit,
  type TerminalRateLimiter,
  type TerminalRateLimits,
} from './terminal-rate-limit.js';

export interface DistributionOptions {
  readonly rateLimits: TerminalRateLimits;
  readonly hotlistPolicy: HotlistPolicy;
  /** Where the shared per-terminal buckets live in Redis (one namespace per deployment). */
  readonly rateLimitKeyPrefix: string;
}

export const DEFAULT_RATE_LIMIT_KEY_PREFIX = 'citycard:gateway:rate:';

/** The gateway's deps, optionally with distribution settings (the bench raises the rate limit). */
export interface DistributionDeps extends GatewayDeps {
  readonly distribution?: Partial<DistributionOptions>;
}

export interface DistributionRouters {
  /** Staff routes (admin, fare sets, configs, anomalies), for the route × role matrix. */
  readonly staff: StaffRouter;
  readonly terminal: TerminalRouter;
}

/** How long a starting gateway waits for Redis before it limits with its own buckets. */
const REDIS_READY_WAIT_MS = 2000;

/**
 * The per-terminal limiter: one bucket per terminal shared by every gateway through Redis when
 * REDIS_URL is set (this process's own buckets while Redis is away), per process otherwise.
 */
function terminalRateLimiter(app: FastifyInstance, deps: DistributionDeps): TerminalRateLimiter {
  const limits = deps.distribution?.rateLimits ?? defaultTerminalRateLimits;
  const clock = () => deps.clock().getTime();
  const local = createTerminalRateLimiter(limits, clock);
  if (deps.redisUrl === undefined) return local;
  // Fail fast while Redis is away: the local bucket answers instead, no request waits on it.
  const redis = new Redis(deps.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 200,
  });
  redis.on('error', () => undefined);
  // Started with Redis up, the first requests share the budget too: wait a moment for it.
  app.addHook('onReady', async () => {
    if (redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, REDIS_READY_WAIT_MS);
      redis.once('ready', done);
    });
  });
  app.addHook('onClose', async () => {
    await redis.quit().catch(() => undefined);
  });
  return createSharedTerminalRateLimiter({
    redis,
    limits,
    clock,
    keyPrefix: deps.distribution?.rateLimitKeyPrefix ?? DEFAULT_RATE_LIMIT_KEY_PREFIX,
    fallback: local,
    log: deps.log,
  });
}

/**
 * Everything distribution adds to the gateway app: the per-terminal rate limit (registered first
 * so that the terminal routes registered after it inherit it), conditional GETs, /v1/time,
 * /metrics, the terminal distribution routes and the staff administration routes.
 */
export async function registerDistribution(
  app: FastifyInstance,
  deps: DistributionDeps,
): Promise<DistributionRouters> {
  registerTerminalRateLimit(app, terminalRateLimiter(app, deps));
  registerConditionalGet(app);
  registerTimeRoute(app, deps.clock);
  registerMetricsRoute(app);
  const issuanceSchema = deps.issuanceSchema ?? 'issuance';
  let terminal: TerminalRouter | undefined;
  await registerTerminalRoutes(app, deps, (router) => {
    terminal = router;
    distributionRoutes({
      db: deps.db,
      hotlist: { db: deps.db, view: hotlistView(issuanceSchema) },
      hotlistPolicy: deps.distribution?.hotlistPolicy ?? defaultHotlistPolicy,
      clock: deps.clock,
    })(router);
  });
  const staff = createRouter<StaffRole, StaffPrincipal>(
    app,
    authenticateStaff(deps.db, issuanceSchema),
  );
  registerRegistryRoutes(staff, { db: deps.db, clock: deps.clock });
  registerPublishRoutes(staff, { db: deps.db, clock: deps.clock });
  if (terminal === undefined) throw new Error('terminal routes were not registered');
  return { staff, terminal };
}
