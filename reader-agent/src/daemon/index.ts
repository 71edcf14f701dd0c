export {
  startReaderAgent,
  DEFAULT_AGENT_PORT,
  type ReaderAgentOptions,
  type RunningReaderAgent,
} from './reader-agent.js';
export {
  IssuanceClient,
  REPORT_STATUSES,
  type CardSnapshot,
  type FetchedPlan,
  type IssuanceApi,
  type IssuanceClientOptions,
  type ReportAnswer,
} from './issuance-client.js';
export { ReportSpool, type ReportSpoolOptions } from './report-spool.js';
export { consoleReport, type PlanResult, type PlanRunner } from './card-sessions.js';
export type { AgentEvent, CardView, ReaderView } from './events.js';
export { wipePlan } from './plan-wipe.js';
