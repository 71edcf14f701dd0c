import type pg from 'pg';
import { z } from 'zod';
import { loadConfig } from '@citycard/core/config';
import type { Logger } from '@citycard/core/logging';

/** When the business day closes and when the nightly run starts after it. */
export interface ClearingSettings {
  /** Local time (HH:MM) after the business day at which it closes. */
  readonly cutoffTime: string;
  readonly timeZone: string;
  /** Cron pattern of the nightly run, in timeZone: after the cut-off, leaving late batches time. */
  readonly nightlyCron: string;
  /** Attempts of the nightly job before it raises the failure alert. */
  readonly nightlyAttempts: number;
  /** First retry delay; each later one doubles. */
  readonly nightlyBackoffMs: number;
}

export const defaultClearingSettings: ClearingSettings = {
  cutoffTime: '04:00',
  timeZone: 'Asia/Shanghai',
  nightlyCron: '30 4 * * *',
  nightlyAttempts: 4,
  nightlyBackoffMs: 5 * 60_000,
};

const clearingEnvSchema = z.object({
  CLEARING_CUTOFF: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, e.g. 04:00')
    .default(defaultClearingSettings.cutoffTime),
  CLEARING_TIME_ZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone, e.g. Asia/Shanghai')
    .default(defaultClearingSettings.timeZone),
  CLEARING_NIGHTLY_CRON: z
    .string()
    .regex(/^\S+( \S+){4,5}$/, 'a cron pattern, e.g. "30 4 * * *"')
    .default(defaultClearingSettings.nightlyCron),
  CLEARING_NIGHTLY_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .default(defaultClearingSettings.nightlyAttempts),
});

/** CLEARING_CUTOFF, CLEARING_TIME_ZONE, CLEARING_NIGHTLY_CRON, CLEARING_NIGHTLY_ATTEMPTS. */
export function clearingSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
): ClearingSettings {
  const parsed = loadConfig(clearingEnvSchema, env);
  return {
    ...defaultClearingSettings,
    cutoffTime: parsed.CLEARING_CUTOFF,
    timeZone: parsed.CLEARING_TIME_ZONE,
    nightlyCron: parsed.CLEARING_NIGHTLY_CRON,
    nightlyAttempts: parsed.CLEARING_NIGHTLY_ATTEMPTS,
  };
}

/** What clearing needs from its host process. Built once by the CLI or a test. */
export interface ClearingDeps {
  /** Connections see the clearing schema first on their search_path. */
  readonly db: pg.Pool;
  readonly log: Logger;
  readonly logLevel?: string;
  /** Injected so tests can move time. */
  readonly clock: () => Date;
  readonly settings: ClearingSettings;
  /** Where issuance's staff_session_contract lives; only tests point it elsewhere. */
  readonly issuanceSchema?: string;
}

export const DEFAULT_ISSUANCE_SCHEMA = 'issuance';
