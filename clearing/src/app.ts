import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { createHttpApp, createRouter, type Router } from '@citycard/core/http';
import { createLogger } from '@citycard/core/logging';
import {
  DEFAULT_ISSUANCE_SCHEMA,
  defaultClearingSettings,
  type ClearingDeps,
  type ClearingSettings,
} from './deps.js';
import { registerClearingRoutes, registerMetricsRoute } from './http/index.js';
import { service } from './service.js';
import { authenticateStaff, type StaffPrincipal, type StaffRole } from './staff/index.js';

/** What `citycard serve clearing` passes; everything but the pool has a default. */
export interface AppDeps {
  /** Connections should see the clearing schema first on their search_path. */
  readonly db: pg.Pool;
  readonly logLevel?: string;
  readonly log?: ClearingDeps['log'];
  readonly clock?: () => Date;
  readonly settings?: ClearingSettings;
  readonly issuanceSchema?: string;
}

export interface BuiltClearing {
  readonly app: FastifyInstance;
  /** Every staff route with its roles, for the route × role matrix and the docs. */
  readonly router: Router<StaffRole, StaffPrincipal>;
  readonly deps: ClearingDeps;
}

export function clearingDeps(deps: AppDeps): ClearingDeps {
  const logLevel = deps.logLevel ?? 'info';
  return {
    db: deps.db,
    log: deps.log ?? createLogger({ name: service.name, level: logLevel }),
    logLevel,
    clock: deps.clock ?? (() => new Date()),
    settings: deps.settings ?? defaultClearingSettings,
    issuanceSchema: deps.issuanceSchema ?? DEFAULT_ISSUANCE_SCHEMA,
  };
}

export async function buildClearingApp(input: AppDeps): Promise<BuiltClearing> {
  const deps = clearingDeps(input);
  const app = await createHttpApp({
    name: service.name,
    ...(deps.logLevel === undefined ? {} : { logLevel: deps.logLevel }),
    readiness: { database: () => deps.db.query('SELECT 1') },
    openapi: { title: 'citycard clearing and settlement', version: '1' },
  });
  const router = createRouter<StaffRole, StaffPrincipal>(
    app,
    authenticateStaff(deps.db, deps.issuanceSchema),
  );
  registerClearingRoutes(router, deps);
  registerMetricsRoute(app);
  return { app, router, deps };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  return (await buildClearingApp(deps)).app;
}
