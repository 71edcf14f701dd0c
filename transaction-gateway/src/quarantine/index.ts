export { registerQuarantineRoutes } from './quarantine.routes.js';
export { approve, proposeDecision, type Actor } from './quarantine.service.js';
export { type Decision } from './quarantine.schemas.js';
