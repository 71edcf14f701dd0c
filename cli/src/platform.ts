import path from 'node:path';
import pino from 'pino';
import type pg from 'pg';
import { z } from 'zod';
import {
  fillDevelopmentSecrets,
  loadConfig,
  runtimeEnv,
  type SecretNotice,
} from '@citycard/core/config';
import { createPool, type MigrationSource } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { createLogger, type Logger } from '@citycard/core/logging';
import { resolveDatabase } from '@citycard/core/runtime';
import { service as clearing } from '@citycard/clearing';
import { service as issuance } from '@citycard/card-issuance';
import { service as gateway } from '@citycard/transaction-gateway';

export const services = {
  'card-issuance': issuance,
  'transaction-gateway': gateway,
  clearing,
} as const;
export type ServiceName = keyof typeof services;

/** Every schema's migrations, in the order a fresh database needs them. */
export const migrationSources: readonly MigrationSource[] = [
  issuance.migrations,
  gateway.migrations,
  clearing.migrations,
];

export const baseSchema = z.object(runtimeEnv);
export type BaseConfig = z.infer<typeof baseSchema>;

export interface Platform {
  readonly config: BaseConfig;
  readonly log: Logger;
  readonly databaseUrl: string;
  readonly embedded: boolean;
  /** For an embedded server: a new data dir, existing data, or a server left running earlier. */
  readonly databaseReuse: string;
  readonly pool: pg.Pool;
  /**
   * Clearing's clock (business days, cut-offs). Real time everywhere but in the demo, which
   * compresses a night: it moves clearing past the cut-off instead of waiting for 04:00.
   */
  readonly clearingClock?: () => Date;
  /** The gateway's clock: real time but in the demo, which runs it on the simulated day. */
  readonly gatewayClock?: () => Date;
  close(): Promise<void>;
}

/** Reads config, then opens the database (DATABASE_URL, or the embedded server in the data dir). */
export async function openPlatform(name: string): Promise<Platform> {
  const config = loadConfig(baseSchema);
  // Short commands speak to people: their logs go to stderr and say only warnings unless asked.
  const level =
    process.env.LOG_LEVEL === undefined && (name === 'cli' || name === 'demo')
      ? 'warn'
      : config.LOG_LEVEL;
  const log = createLogger({ name, level, destination: pino.destination(2) });
  const dataDir = path.resolve(config.CITYCARD_DATA_DIR);
  const db = await resolveDatabase({
    ...(config.DATABASE_URL === undefined ? {} : { databaseUrl: config.DATABASE_URL }),
    dataDir: path.join(dataDir, 'postgres'),
    log,
  });
  const pool = createPool({ url: db.url, applicationName: `citycard-${name}` });
  let closed = false;
  const clearingClock = shiftedClock(config.CITYCARD_MODE, 'CITYCARD_CLEARING_CLOCK_OFFSET_S');
  const gatewayClock = shiftedClock(config.CITYCARD_MODE, 'CITYCARD_GATEWAY_CLOCK_OFFSET_S');
  return {
    ...(clearingClock === undefined ? {} : { clearingClock }),
    ...(gatewayClock === undefined ? {} : { gatewayClock }),
    config,
    log,
    databaseUrl: db.url,
    embedded: db.embedded,
    databaseReuse: db.reused ?? 'external',
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      await db.stop();
    },
  };
}

/**
 * A clock moved by a number of seconds, for end-to-end tests that play a day and clear it
 * without waiting for its cut-off. Refused in production mode, where every service keeps real time.
 */
function shiftedClock(mode: string, variable: string): (() => Date) | undefined {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return undefined;
  if (mode === 'production' || !/^-?\d{1,9}$/.test(raw)) {
    throw new AppError('CONFIG_INVALID', {
      message: `${variable} must be whole seconds, and only outside production mode`,
      details: { variable },
    });
  }
  const offset = Number(raw) * 1000;
  return () => new Date(Date.now() + offset);
}

/** Development and demo modes fill missing secrets; production reports them as missing. */
export async function loadSecrets<S extends z.ZodType>(
  config: BaseConfig,
  schema: S,
  variables: readonly string[],
): Promise<{ secrets: z.infer<S>; generated: SecretNotice[] }> {
  const { env, generated } = await fillDevelopmentSecrets(
    process.env,
    config.CITYCARD_MODE,
    path.resolve(config.CITYCARD_DATA_DIR),
    variables,
  );
  return { secrets: loadConfig(schema, env), generated };
}
