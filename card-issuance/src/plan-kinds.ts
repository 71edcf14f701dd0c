import { registerCardReadObserver, registerPlanKind } from './agent/plan-registry.js';
import { registerReadPlanKind } from './agent/read-plan.js';
import { loadPlanKind } from './loads/load-report.js';
import { resolveLoadsOnRead } from './loads/load-resolution.js';
import { registerPersonalisationKinds } from './personalisation/personalisation-kind.js';

/**
 * Every kind of card plan and every observer of card reads, registered once per process by
 * whichever listener starts first: the agent listener settles reports for plans the staff
 * listener made, so both must know all kinds.
 */
export function registerPlanKinds(): void {
  registerReadPlanKind();
  registerPersonalisationKinds();
  registerPlanKind('load', loadPlanKind);
  registerCardReadObserver(resolveLoadsOnRead);
}
