import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((value) => value === 'true' || value === '1');

/**
 * The gateway's mutual-TLS variables, for the host's env schema
 * (`z.object({ ...runtimeEnv, ...gatewayTlsEnv })`).
 */
export const gatewayTlsEnv = {
  /** Port of the mutual-TLS listener for terminals; unset: no such listener. */
  GATEWAY_TLS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Comma-separated DNS names for its server certificate, besides localhost. */
  GATEWAY_TLS_HOSTNAMES: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    ),
  /** true: terminal routes on the plain HTTP listener answer 401 CLIENT_CERT_REQUIRED. */
  GATEWAY_REQUIRE_CLIENT_CERT: flag,
};
