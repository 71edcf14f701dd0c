import { isIP } from 'node:net';
import { z } from 'zod';
import { loadConfig } from '@citycard/core/config';

/** Ranges proxy-addr knows by name, as Fastify's trustProxy accepts them. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

const proxyList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  )
  .refine(
    (items) => items.every(isProxyAddress),
    'must be a comma-separated list of IP addresses, CIDR ranges or loopback/linklocal/uniquelocal',
  );

/** Variables the issuance HTTP app reads at build time. */
export const issuanceHttpEnvSchema = z.object({
  /**
   * Proxies in front of issuance (the console, a load balancer) whose X-Forwarded-For is believed,
   * so sign-in records and rate limits see the browser's address. Unset: none is trusted.
   */
  ISSUANCE_TRUST_PROXY: proxyList.default([]),
});

export interface IssuanceHttpOptions {
  readonly trustProxy: readonly string[];
}

export function issuanceHttpOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): IssuanceHttpOptions {
  return { trustProxy: loadConfig(issuanceHttpEnvSchema, env).ISSUANCE_TRUST_PROXY };
}
