import { catalogue, type ErrorCode } from './catalogue.js';

export interface AppErrorOptions {
  /** Overrides the catalogue message with a more precise one. Never put secrets or PII here. */
  message?: string;
  /** Machine-readable specifics a client can act on (field paths, offending ids, limits). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** An error from the catalogue: a code, a message fit to show a user, an HTTP status. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const entry = catalogue[code];
    super(options.message ?? entry.message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.httpStatus = entry.httpStatus;
    this.retryable = entry.retryable;
    this.details = options.details;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Shorthand that reads like the failure: `throw appError('CARD_NOT_FOUND', {...})`. */
export function appError(code: ErrorCode, options?: AppErrorOptions): AppError {
  return new AppError(code, options);
}
