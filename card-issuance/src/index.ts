export { service } from './service.js';
export { buildIssuanceApp, type BuiltApp } from './app.js';
export { defaultSettings, type IssuanceDeps, type IssuanceSettings } from './deps.js';
export { roles, type Role, type StaffPrincipal } from './auth/roles.js';
export { bootstrapAdmin, type BootstrapResult } from './auth/staff.js';
export { signInStaff, type SignedInStaff } from './auth/sign-in.js';
export { verifyAuditChain } from './audit/verify.js';
export { buildAgentApp, type AgentListener, type AgentTls } from './agent/index.js';
export {
  initMasterKeys,
  listKeyVersions,
  rotateMasterKeys,
  type KeyVersionInfo,
} from './keys/index.js';
export {
  postTerminalDebits,
  scheduleShadowPosting,
  shadowPostingJob,
  startShadowPostingWorker,
  SHADOW_POSTING_QUEUE,
  type PostingResult,
  type ShadowPostingJobResult,
} from './shadow-posting/index.js';
