export {
  DEFAULT_RATE_LIMIT_KEY_PREFIX,
  registerDistribution,
  type DistributionDeps,
  type DistributionOptions,
  type DistributionRouters,
} from './register.js';
export {
  createTerminalRateLimiter,
  defaultTerminalRateLimits,
  type TerminalRateLimiter,
  type TerminalRateLimits,
} from './terminal-rate-limit.js';
export {
  createSharedTerminalRateLimiter,
  type SharedRateLimiterOptions,
} from './shared-rate-limit.js';
export { defaultHotlistPolicy, hotlistSince, type HotlistPolicy } from './hotlist.repository.js';
export { fareSetsInForce, listFareSets, publishFareSet } from './fare-sets.repository.js';
export {
  DEFAULT_OPERATOR_SETTINGS,
  configsInForce,
  publishOperatorConfig,
} from './operator-configs.repository.js';
