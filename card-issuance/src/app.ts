import type { FastifyInstance } from 'fastify';
import { createHttpApp, createRouter } from '@citycard/core/http';
import { registerAgentAdminRoutes } from './agent/agent-admin.routes.js';
import { registerAuditRoutes } from './audit/audit.routes.js';
import { createAuthenticator } from './auth/authenticate.js';
import { registerLoginRateLimit } from './auth/rate-limit.js';
import { registerAuthRoutes } from './auth/auth.routes.js';
import { registerStaffRoutes } from './auth/staff.routes.js';
import { registerCardholderRoutes } from './cardholders/cardholder.routes.js';
import { registerCardRoutes } from './cards/card.routes.js';
import { registerHotlistRoutes } from './cards/hotlist.routes.js';
import { registerProductRoutes } from './cards/product.routes.js';
import { registerStockRoutes } from './cards/stock.routes.js';
import type { IssuanceDeps } from './deps.js';
import { issuanceHttpOptionsFromEnv, type IssuanceHttpOptions } from './issuance-env.js';
import { registerBranchRoutes } from './drawers/branch.routes.js';
import { registerDrawerRoutes } from './drawers/drawer.routes.js';
import { registerPersonalisationRoutes } from './personalisation/personalisation.routes.js';
import { registerLoadRoutes } from './loads/load.routes.js';
import type { Role, StaffPrincipal } from './auth/roles.js';
import type { IssuanceRouter } from './routes.js';
import { registerPlanKinds } from './plan-kinds.js';
import { service } from './service.js';

export interface BuiltApp {
  readonly app: FastifyInstance;
  readonly router: IssuanceRouter;
}

/** `http` defaults to what ISSUANCE_TRUST_PROXY says (see issuance-env.ts). */
export async function buildIssuanceApp(
  deps: IssuanceDeps,
  logLevel?: string,
  http: IssuanceHttpOptions = issuanceHttpOptionsFromEnv(),
): Promise<BuiltApp> {
  const app = await createHttpApp({
    name: service.name,
    ...(logLevel === undefined ? {} : { logLevel }),
    trustProxy: http.trustProxy,
    readiness: { database: () => deps.db.query('SELECT 1') },
    openapi: { title: 'citycard card issuance', version: '1' },
  });
  await registerLoginRateLimit(app, deps);
  const router = createRouter<Role, StaffPrincipal>(app, createAuthenticator(deps));
  registerAuthRoutes(router, deps);
  registerStaffRoutes(router, deps);
  registerAuditRoutes(router, deps);
  registerBranchRoutes(router, deps);
  registerDrawerRoutes(router, deps);
  registerCardholderRoutes(router, deps);
  registerProductRoutes(router, deps);
  registerStockRoutes(router, deps);
  registerCardRoutes(router, deps);
  registerHotlistRoutes(router, deps);
  registerPlanKinds();
  registerAgentAdminRoutes(router, deps);
  registerPersonalisationRoutes(router, deps);
  registerLoadRoutes(router, deps);
  return { app, router };
}
