export type { CommissionResult, FeeSchedule, SubsidyRule, TypeAggregate } from './fee.types.js';
export { ANY_TYPE } from './fee.types.js';
export {
  computeCommission,
  computeSubsidy,
  inForce,
  rateFor,
  subsidyRuleFor,
} from './commission.js';
export {
  feeScheduleInput,
  subsidyRuleInput,
  type FeeScheduleInput,
  type SubsidyRuleInput,
} from './fee.schemas.js';
export {
  createFeeSchedule,
  createSubsidyRule,
  feeSchedulesInForce,
  listFeeSchedules,
  listSubsidyRules,
} from './fee.repository.js';
export { addFeeSchedule, addSubsidyRule } from './fee.service.js';
export { conflictingPeriods, periodsOverlap, type EffectivePeriod } from './overlap.js';
