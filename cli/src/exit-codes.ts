import type { ErrorCode } from '@citycard/core/errors';

/** sysexits(3) numbers, so that scripts and supervisors can tell a bad config from an outage. */
export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 64,
  dataError: 65,
  noInput: 66,
  unavailable: 69,
  software: 70,
  cantCreate: 73,
  config: 78,
} as const;

const byCode: Partial<Record<ErrorCode, number>> = {
  CONFIG_INVALID: exitCodes.config,
  DB_UNAVAILABLE: exitCodes.unavailable,
  QUEUE_UNAVAILABLE: exitCodes.unavailable,
  SERVICE_UNAVAILABLE: exitCodes.unavailable,
  EMBEDDED_PG_FAILED: exitCodes.unavailable,
  PCSC_UNAVAILABLE: exitCodes.unavailable,
  GATEWAY_UNREACHABLE: exitCodes.unavailable,
  MIGRATION_EDITED: exitCodes.dataError,
  MIGRATION_MISSING: exitCodes.dataError,
  MIGRATION_NAME_INVALID: exitCodes.dataError,
  MIGRATION_FAILED: exitCodes.dataError,
  VALIDATION_FAILED: exitCodes.usage,
  CSR_INVALID: exitCodes.dataError,
  PKI_EXISTS: exitCodes.dataError,
  PKI_NOT_INITIALISED: exitCodes.config,
};

export function exitCodeFor(code: ErrorCode): number {
  return byCode[code] ?? exitCodes.failure;
}
