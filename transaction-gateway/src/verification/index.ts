export { QUARANTINE_REASONS, type QuarantineReason } from './reasons.js';
export { reasonsFrom, verifyRecords, type Facts, type VerifyContext } from './verify-records.js';
export { fareMatches } from './fare-check.js';
export { publishedFareSets, staticFareSets } from './fare-sets.js';
export { HotlistCache, type VersionedRow } from './hotlist-cache.js';
export {
  TAKEN_COUNTERS_SQL,
  counterCandidates,
  counterReplays,
  replaysAmong,
  type CounterKey,
  type TakenCounter,
} from './counter-replay.js';
export { cardsSql, type ContractCard, type HotlistRow } from './issuance-contract.js';
