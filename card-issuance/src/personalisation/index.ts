export { registerPersonalisationRoutes } from './personalisation.routes.js';
export { registerPersonalisationKinds, personalisationKind } from './personalisation-kind.js';
export { planPersonalisation, type PlannedPersonalisation } from './personalisation.js';
export { personalisationSpec, type PersonalisationSpec } from './issuer-info.js';
