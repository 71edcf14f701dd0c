export { catalogue, isErrorCode, type ErrorCode, type ErrorSpec } from './catalogue.js';
export { AppError, appError, isAppError, type AppErrorOptions } from './app-error.js';
