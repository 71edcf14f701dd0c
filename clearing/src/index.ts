export { service } from './service.js';
export { buildApp, type AppDeps } from './app.js';
export {
  getRun,
  listRuns,
  releaseRun,
  runClearing,
  type Run,
  type RunDetail,
  type RunLine,
  type RunStatus,
  type NetPosition,
  type FloatCheck,
  type RunClearingInput,
  type ListRunsFilter,
} from './run/index.js';
export { buildClearingApp, clearingDeps, type BuiltClearing } from './app.js';
export {
  clearingSettingsFromEnv,
  defaultClearingSettings,
  type ClearingDeps,
  type ClearingSettings,
} from './deps.js';
