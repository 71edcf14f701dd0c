export { maskCardNumber, maskIdNumber, maskDigitRuns } from './mask.js';
export {
  CARD_NUMBER_KEYS,
  ID_NUMBER_KEYS,
  REDACTED_KEYS,
  SECRET_KEYS,
  classifyKey,
  redact,
  redactField,
} from './redact.js';
export {
  createLogger,
  loggerOptions,
  redactUrl,
  type CreateLoggerOptions,
  type Logger,
} from './logger.js';
