import type { LogLevel } from 'fastify';
import type pg from 'pg';
import type { IssuedCertificate, IssueRequest, KeyEncryptionKey } from '@citycard/core/crypto';
import type { Logger } from '@citycard/core/logging';
import type { FareSet } from '@citycard/terminal-sdk/fare';

/** The platform CA as enrolment needs it; core's FilePkiStore is one. */
export interface CertificateAuthority {
  caCertPem(): Promise<string>;
  issue(request: IssueRequest): Promise<IssuedCertificate>;
}

/** Fare sets by version, as published (immutable once published, so callers may cache). */
export type FareSetLookup = (versions: readonly string[]) => Promise<ReadonlyMap<string, FareSet>>;

/** What the gateway needs from its host process. Built once by the CLI or a test. */
export interface GatewayDeps {
  /** Connections see the gateway schema first on their search_path. */
  readonly db: pg.Pool;
  readonly log: Logger;
  readonly logLevel?: string;
  /** Seals terminal MAC keys at rest (the gateway key-encryption key). */
  readonly macKeyKek: KeyEncryptionKey;
  readonly ca: CertificateAuthority;
  /** Injected so tests can move time (clock skew, token expiry, business days). */
  readonly clock: () => Date;
  readonly settings: GatewaySettings;
  /**
   * The schema holding issuance's contract views (card_contract, hotlist_contract,
   * product_contract). Only tests point it elsewhere, at a copy of the contract's shape.
   */
  readonly issuanceSchema?: string;
  /** Overrides where fare sets come from (default: the published fare_sets table). */
  readonly fareSets?: FareSetLookup;
  /** Set when REDIS_URL is: the outbox relay and rate limits use it. */
  readonly redisUrl?: string | undefined;
}

export interface GatewaySettings {
  /** How far a terminal's request time or batch creation time may be from the gateway's clock. */
  readonly requestToleranceSeconds: number;
  /** A record may be this far ahead of its batch's creation (or of the gateway) before CLOCK_SKEW. */
  readonly recordFutureToleranceSeconds: number;
  /** A record older than this when received is quarantined as CLOCK_SKEW. */
  readonly recordMaxAgeDays: number;
  /** The business day starts at this local time (HH:MM) in this time zone. */
  readonly businessDayCutoff: string;
  readonly businessDayTimeZone: string;
  /** The largest amount one record may carry before AMOUNT_OUT_OF_LIMITS. */
  readonly maxRecordAmount: string;
  readonly certificateValidityDays: number;
  /** Largest request body the ingest routes take (a full batch of 1,000 records is ~700 kB). */
  readonly bodyLimitBytes: number;
  /**
   * Level of the per-request lines ("incoming request", "request completed") on terminal routes.
   * Default 'warn': at thousands of terminal requests a second those lines cost more than the
   * rest of a single-record upload, and metrics count them; refusals are still logged (warn),
   * failures too (error). 'info' brings the lines back.
   */
  readonly terminalRequestLogLevel?: LogLevel;
  /**
   * Terminal routes on the plain HTTP listener refuse every request (401 CLIENT_CERT_REQUIRED):
   * terminals must come through the mutual-TLS listener. Health, metrics and enrolment stay open.
   */
  readonly requireClientCert?: boolean;
}

export const defaultGatewaySettings: GatewaySettings = {
  requestToleranceSeconds: 300,
  recordFutureToleranceSeconds: 300,
  recordMaxAgeDays: 60,
  businessDayCutoff: '04:00',
  businessDayTimeZone: 'Asia/Shanghai',
  maxRecordAmount: '500.00',
  certificateValidityDays: 825,
  bodyLimitBytes: 2 * 1024 * 1024,
  terminalRequestLogLevel: 'warn',
  requireClientCert: false,
};

export const DEFAULT_ISSUANCE_SCHEMA = 'issuance';
