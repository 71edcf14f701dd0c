export {
  AGENT_ONLY,
  createAgentAuthenticator,
  type AgentPrincipal,
  type AgentRole,
  type AgentTls,
} from './agent-auth.js';
export { buildAgentApp, type AgentListener } from './agent-app.js';
export { registerPlanKinds } from '../plan-kinds.js';
export { registerAgentAdminRoutes } from './agent-admin.routes.js';
export {
  cardSnapshot as cardSnapshotSchema,
  reportAnswer as reportAnswerSchema,
  type CardSnapshot,
  type ReportAnswer,
} from './agent.schemas.js';
export { cardSnapshot, purseOf } from './card-snapshot.js';
export { planActionContext, planActor } from './plan-actor.js';
export {
  cardReadObservers,
  createPlan,
  planKind,
  registerCardReadObserver,
  registerPlanKind,
  type CardRead,
  type CardReadObserver,
  type CreatePlanInput,
  type PlanKind,
  type ReportContext,
} from './plan-registry.js';
export {
  findPlan,
  listPlansOfCard,
  requirePlan,
  type PlanRow,
  type PlanStatus,
} from './plan.repository.js';
export { findAgent, requireAgentAt, type ReaderAgentRow } from './reader-agent.repository.js';
export { fetchPlan, reportPlan } from './plan-service.js';
