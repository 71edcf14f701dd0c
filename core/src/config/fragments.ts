import { z } from 'zod';

/**
 * Fragments that several deployables share. Each deployable composes its own schema from them
 * (`z.object({ ...runtimeEnv, ...httpEnv(8081) })`) so that a service is told only about the
 * variables it reads.
 */
export const modes = ['production', 'development', 'demo'] as const;
export type Mode = (typeof modes)[number];

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.join(' or ')}//`,
  );

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export const runtimeEnv = {
  /** production refuses to run without its secrets; development and demo generate them and say so. */
  CITYCARD_MODE: z.enum(modes).default('production'),
  /** Unset: an embedded PostgreSQL under CITYCARD_DATA_DIR. */
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  /** Unset: queues run on BullMQ's PostgreSQL backend. */
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  CITYCARD_DATA_DIR: z.string().default('.citycard'),
  LOG_LEVEL: logLevel.default('info'),
};

export const httpEnv = (defaultPort: number) => ({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(defaultPort),
});

/** A 32-byte key as 64 hex characters or base64. No default: see secrets.ts for dev modes. */
export const keyMaterial = z
  .string()
  .refine(
    (value) => /^[0-9a-fA-F]{64}$/.test(value) || Buffer.from(value, 'base64').length === 32,
    'must be 32 bytes as 64 hex characters or base64',
  );
