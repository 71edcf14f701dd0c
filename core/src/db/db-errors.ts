import { AppError } from '../errors/index.js';

const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

// SQLSTATEs that mean "this server or connection is gone or refusing", not "your SQL is wrong".
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

// pg reports a lost or never-established connection only through these messages.
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
];

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof AppError) return false;
  const code = codeOf(err);
  if (code !== undefined) {
    if (CONNECTION_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (code.startsWith('08')) return true; // class 08: connection exception
  }
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  return CONNECTION_MESSAGES.some((m) => err.message.includes(m));
}

/** serialization_failure and deadlock_detected: the transaction may succeed if run again. */
export function isRetryableTransactionError(err: unknown): boolean {
  const code = codeOf(err);
  return code === '40001' || code === '40P01';
}

export function toDbError(err: unknown): unknown {
  if (isConnectionError(err)) return new AppError('DB_UNAVAILABLE', { cause: err });
  return err;
}
