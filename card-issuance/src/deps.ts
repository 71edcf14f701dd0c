import type pg from 'pg';
import type { KeyEncryptionKey } from '@citycard/core/crypto';
import type { Logger } from '@citycard/core/logging';

/** What the issuance service needs from its host process. Built once by the CLI or a test. */
export interface IssuanceDeps {
  readonly db: pg.Pool;
  readonly log: Logger;
  /** Seals cardholder identity numbers at rest (AES-256-GCM envelopes). */
  readonly piiKek: KeyEncryptionKey;
  /** Keys the blind index that finds a cardholder by identity number without decrypting. */
  readonly blindIndexKey: Buffer;
  /** Seals the card master keys at rest (the platform key-encryption key). */
  readonly cardKeyKek: KeyEncryptionKey;
  /** Injected so tests can move time (session expiry, lockouts, hold periods). */
  readonly clock: () => Date;
  readonly settings: IssuanceSettings;
  /** Set when REDIS_URL is: rate limits are then shared by every instance of the service. */
  readonly redisUrl?: string | undefined;
}

export interface IssuanceSettings {
  /** Session token lifetime. */
  readonly sessionTtlSeconds: number;
  /** Failed logins in a row before an account locks, and for how long. */
  readonly lockoutThreshold: number;
  readonly lockoutSeconds: number;
  /** Days a replaced card's balance waits before it moves to the new card. */
  readonly replacementHoldDays: number;
  /** City code, first digits of every card number. */
  readonly cityCode: string;
  /** How long a card plan may be fetched by its reader agent after it is made. */
  readonly planTtlSeconds: number;
}

export const defaultSettings: IssuanceSettings = {
  sessionTtlSeconds: 8 * 3600,
  lockoutThreshold: 5,
  lockoutSeconds: 15 * 60,
  replacementHoldDays: 7,
  cityCode: '3100',
  planTtlSeconds: 120,
};
