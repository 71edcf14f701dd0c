export * from './run.types.js';
export type {
  AdjustmentAggregate,
  CashAggregate,
  CashCategory,
  ClearingInputs,
  DiscountAggregate,
  LoadAggregate,
} from './inputs.types.js';
export { CASH_CATEGORIES } from './inputs.types.js';
export { computeClearing, ENGINE_VERSION, type ClearingResult } from './compute.js';
export { canonicalJson, inputHash, outputHash, sha256Hex, type InputDigest } from './hash.js';
export { clearDay, releaseRun, runClearing } from './run-clearing.js';
export { getRun, listRuns } from './run.repository.js';
export { DEFAULT_CUTOFF_TIME, DEFAULT_TIME_ZONE, runWindow, type RunWindow } from './run-window.js';
