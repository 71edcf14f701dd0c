export { Amount, isAmount, MAX_ABS_FEN, INT32_MIN, INT32_MAX } from './amount.js';
export { roundings, type Rounding } from './decimal.js';
export { Rate, parseRate, isRateString } from './rate.js';
export {
  parseAmount,
  formatAmount,
  isAmountString,
  AMOUNT_PATTERN,
  NON_NEGATIVE_AMOUNT_PATTERN,
  type ParseAmountOptions,
} from './parse.js';
export { sumAmounts, minAmount, maxAmount, applyRate } from './aggregate.js';
export { allocate, type AllocateOptions, type Weight } from './allocate.js';
export { amountString, nonNegativeAmountString } from './schema.js';
