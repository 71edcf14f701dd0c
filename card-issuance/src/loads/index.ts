export { registerLoadRoutes } from './load.routes.js';
export { loadPlanKind } from './load-report.js';
export { resolveLoadsOnRead } from './load-resolution.js';
export {
  orderLoad,
  refundLoad,
  retryLoad,
  reviewLoad,
  type LoadOrder,
  type LoadOrderInput,
  type ReviewDecision,
} from './load.service.js';
export {
  checkLoadLimits,
  getLoadLimits,
  type LoadFigures,
  type LoadLimits,
} from './load-limits.js';
export { judgeLoad, HISTORY_DEPTH, type LoadExpectation, type Verdict } from './load-verdict.js';
export { LOAD_STATES, OPEN_LOAD_STATES, type LoadRow, type LoadState } from './load.repository.js';
export { READ_MAX_AGE_SECONDS } from './purse-read.js';
