import type { Router } from '@citycard/core/http';
import type { ClearingDeps } from '../deps.js';
import type { StaffPrincipal, StaffRole } from '../staff/index.js';
import { registerDayRoutes } from './days.routes.js';
import { registerFeeRoutes } from './fees.routes.js';
import { registerPartyRoutes } from './parties.routes.js';
import { registerRunRoutes } from './runs.routes.js';
import { registerSettlementRoutes } from './settlement.routes.js';

export { registerMetricsRoute } from './metrics.route.js';
export { actorOf } from './actor.js';
export { toWire } from './wire.js';

export function registerClearingRoutes(
  router: Router<StaffRole, StaffPrincipal>,
  deps: ClearingDeps,
): void {
  registerRunRoutes(router, deps);
  registerSettlementRoutes(router, deps);
  registerDayRoutes(router, deps);
  registerPartyRoutes(router, deps);
  registerFeeRoutes(router, deps);
}
