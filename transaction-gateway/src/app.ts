import type { FastifyInstance } from 'fastify';
import { createHttpApp, createRouter, type Router } from '@citycard/core/http';
import { DEFAULT_ISSUANCE_SCHEMA } from './deps.js';
import {
  registerDistribution,
  type DistributionDeps,
  type DistributionRouters,
} from './distribution/index.js';
import { registerEnrolmentRoutes } from './enrolment/index.js';
import { registerIngestRoutes } from './ingest/index.js';
import { registerQuarantineRoutes } from './quarantine/index.js';
import { service } from './service.js';
import { authenticateStaff, type StaffPrincipal, type StaffRole } from './staff/index.js';
import { registerTerminalRoutes, type TerminalRouter } from './terminals/index.js';

export interface BuiltGateway {
  readonly app: FastifyInstance;
  /** Enrolment (public) and quarantine (finance) routes. */
  readonly staff: Router<StaffRole, StaffPrincipal>;
  /** Ingest routes (terminal request signature). */
  readonly terminal: TerminalRouter;
  readonly distribution: DistributionRouters;
}

export async function buildGatewayApp(deps: DistributionDeps): Promise<BuiltGateway> {
  const app = await createHttpApp({
    name: service.name,
    ...(deps.logLevel === undefined ? {} : { logLevel: deps.logLevel }),
    readiness: { database: () => deps.db.query('SELECT 1') },
    bodyLimit: deps.settings.bodyLimitBytes,
    openapi: { title: 'citycard transaction gateway', version: '1' },
  });
  // First: its per-terminal rate limit must be in place before any terminal route is declared.
  const distribution = await registerDistribution(app, deps);
  const issuanceSchema = deps.issuanceSchema ?? DEFAULT_ISSUANCE_SCHEMA;
  const staff = createRouter<StaffRole, StaffPrincipal>(
    app,
    authenticateStaff(deps.db, issuanceSchema),
  );
  registerEnrolmentRoutes(staff, deps);
  registerQuarantineRoutes(staff, deps);
  let terminal: TerminalRouter | undefined;
  await registerTerminalRoutes(app, deps, (router) => {
    terminal = router;
    registerIngestRoutes(router, deps);
  });
  if (terminal === undefined) throw new Error('ingest routes were not registered');
  return { app, staff, terminal, distribution };
}

export async function buildApp(deps: DistributionDeps): Promise<FastifyInstance> {
  return (await buildGatewayApp(deps)).app;
}
