/**
 * The one catalogue of error codes. Every error that crosses a process boundary (HTTP answer,
 * CLI exit, queue failure) carries one of these codes. docs/errors.md lists them all and a test
 * fails when one is missing there.
 */
export interface ErrorSpec {
  readonly message: string;
  readonly httpStatus: number;
  /** true when the same request may succeed if sent again unchanged (after a back-off). */
  readonly retryable: boolean;
}

const spec = (message: string, httpStatus: number, retryable = false): ErrorSpec => ({
  message,
  httpStatus,
  retryable,
});

export const catalogue = {
  // --- generic
  VALIDATION_FAILED: spec('The request is not valid', 400),
  NOT_FOUND: spec('No such resource', 404),
  INTERNAL: spec('Internal error', 500, true),
  UNAUTHENTICATED: spec('Authentication required', 401),
  FORBIDDEN: spec('This role may not do this', 403),
  RATE_LIMITED: spec('Too many requests', 429, true),
  CONFLICT: spec('The request conflicts with the current state', 409),
  SERVICE_UNAVAILABLE: spec('A dependency is unavailable', 503, true),
  PAYLOAD_TOO_LARGE: spec('The request body is too large', 413),
  UNSUPPORTED_MEDIA_TYPE: spec('Unsupported content type', 415),

  // --- config
  CONFIG_INVALID: spec('The configuration is not valid', 500),

  // --- db and migrations
  DB_UNAVAILABLE: spec('The database is unavailable', 503, true),
  MIGRATION_EDITED: spec('An applied migration file was edited', 500),
  MIGRATION_MISSING: spec('An applied migration file is missing', 500),
  MIGRATION_NAME_INVALID: spec('A migration file name is not valid', 500),
  MIGRATION_FAILED: spec('A migration failed and was rolled back', 500),
  MIGRATION_OUT_OF_ORDER: spec('A new migration is numbered below one already applied', 500),
  EMBEDDED_PG_FAILED: spec('The embedded PostgreSQL could not start', 500),

  // --- money
  AMOUNT_INVALID: spec('Not a valid amount (two-place decimal string)', 400),
  AMOUNT_OUT_OF_RANGE: spec('Amount out of range', 400),
  ALLOCATION_INVALID: spec('An allocation needs non-negative weights with a positive sum', 400),

  // --- crypto and PKI
  KEY_INVALID: spec('A key has the wrong length or form', 400),
  ENVELOPE_INVALID: spec('A sealed secret could not be opened', 500),
  CSR_INVALID: spec('The certificate signing request is not valid', 400),
  CERT_INVALID: spec('The certificate does not verify against the platform CA', 401),
  CERT_REVOKED: spec('The certificate has been revoked', 401),
  PKI_NOT_INITIALISED: spec('The platform CA has not been created (run citycard pki init)', 500),
  PKI_EXISTS: spec('A platform CA already exists', 409),

  // --- queues
  QUEUE_UNAVAILABLE: spec('The job queue is unavailable', 503, true),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof catalogue;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(catalogue, code);
}
