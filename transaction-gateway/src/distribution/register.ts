import type { FastifyInstance } from 'fastify';
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
import {
  createTerminalRateLimiter,
  defaultTerminalRateLimits,
  registerTerminalRateLimit,
  type TerminalRateLimits,
} from './terminal-rate-limit.js';

export interface DistributionOptions {
  readonly rateLimits: TerminalRateLimits;
  readonly hotlistPolicy: HotlistPolicy;
}

/** The gateway's deps, optionally with distribution settings (the bench raises the rate limit). */
export interface DistributionDeps extends GatewayDeps {
  readonly distribution?: Partial<DistributionOptions>;
}

export interface DistributionRouters {
  /** Staff routes (admin, fare sets, configs, anomalies), for the route × role matrix. */
  readonly staff: StaffRouter;
  readonly terminal: TerminalRouter;
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
  const rateLimits = deps.distribution?.rateLimits ?? defaultTerminalRateLimits;
  const limiter = createTerminalRateLimiter(rateLimits, () => deps.clock().getTime());
  registerTerminalRateLimit(app, limiter);
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
