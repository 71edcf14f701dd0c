import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { httpEnv, loadConfig } from '@citycard/core/config';
import { DEFAULT_READER_AGENT_ORIGINS } from './options.js';
import type { ConsoleServerOptions } from './console-server.js';

export const DEFAULT_CONSOLE_PORT = 8080;

/** Where `npm run build:web -w console` writes the web app, beside this package's dist/ or src/. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/dist', import.meta.url));

const list = z
  .string()
  .transform((s) => s.split(',').map((v) => v.trim()))
  .transform((items) => items.filter((v) => v !== ''));

/** The variables `citycard serve console` reads; the service URLs default to `serve all`'s ports. */
export const consoleEnvSchema = z.object({
  ...httpEnv(DEFAULT_CONSOLE_PORT),
  CONSOLE_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  ISSUANCE_URL: z.string().default('http://127.0.0.1:8081'),
  GATEWAY_URL: z.string().default('http://127.0.0.1:8082'),
  CLEARING_URL: z.string().default('http://127.0.0.1:8083'),
  CONSOLE_WEB_ROOT: z.string().default(DEFAULT_WEB_ROOT),
  /** Comma-separated origins of the counters' reader agents, e.g. http://127.0.0.1:8090. */
  CONSOLE_READER_AGENT_ORIGINS: list.default(DEFAULT_READER_AGENT_ORIGINS),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export function consoleOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): ConsoleServerOptions {
  const c = loadConfig(consoleEnvSchema, env);
  return {
    host: c.HOST,
    port: c.CONSOLE_PORT ?? c.PORT,
    issuanceUrl: c.ISSUANCE_URL,
    gatewayUrl: c.GATEWAY_URL,
    clearingUrl: c.CLEARING_URL,
    webRoot: c.CONSOLE_WEB_ROOT,
    readerAgentOrigins: c.CONSOLE_READER_AGENT_ORIGINS,
    logLevel: c.LOG_LEVEL,
  };
}
