import path from 'node:path';
import { z } from 'zod';
import { keyMaterial } from '@citycard/core/config';
import {
  deriveKeyId,
  FilePkiStore,
  issueServerCertificateFromStore,
  parseKek,
} from '@citycard/core/crypto';
import { createPool } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import {
  buildAgentApp,
  defaultSettings,
  service,
  type IssuanceDeps,
} from '@citycard/card-issuance';
import { loadSecrets, type Platform } from './platform.js';

const secretsSchema = z.object({
  /** Seals cardholder identity numbers at rest. */
  CITYCARD_PII_KEK: keyMaterial,
  /** Keys the blind index over identity numbers; changing it means re-indexing. */
  CITYCARD_BLIND_INDEX_KEY: keyMaterial,
  /** The platform key-encryption key: seals the card master keys (and the CA key). */
  CITYCARD_KEK: keyMaterial,
});

/** A pool whose connections see the issuance schema first, as the service's queries expect. */
export function issuancePool(platform: Platform): IssuanceDeps['db'] {
  return createPool({
    url: platform.databaseUrl,
    applicationName: 'citycard-card-issuance',
    searchPath: [service.schema, 'public'],
    log: platform.log,
  });
}

export async function issuanceDeps(
  platform: Platform,
  db: IssuanceDeps['db'],
): Promise<IssuanceDeps> {
  const { secrets, generated } = await loadSecrets(platform.config, secretsSchema, [
    'CITYCARD_PII_KEK',
    'CITYCARD_BLIND_INDEX_KEY',
    'CITYCARD_KEK',
  ]);
  for (const g of generated) {
    platform.log.warn(
      { variable: g.variable, file: g.file },
      `${platform.config.CITYCARD_MODE} mode: generated a secret (never in production)`,
    );
  }
  const piiKey = parseKek(secrets.CITYCARD_PII_KEK);
  const platformKey = parseKek(secrets.CITYCARD_KEK);
  return {
    db,
    log: platform.log,
    piiKek: { id: deriveKeyId(piiKey), key: piiKey },
    blindIndexKey: parseKek(secrets.CITYCARD_BLIND_INDEX_KEY),
    cardKeyKek: { id: deriveKeyId(platformKey), key: platformKey },
    clock: () => new Date(),
    settings: defaultSettings,
    redisUrl: platform.config.REDIS_URL,
  };
}

/** The PKI store's key id for CITYCARD_KEK (see commands/pki.ts). */
const PKI_KEK_ID = 'kek-1';
const REVOCATIONS_TTL_MS = 2000;

/** Revoked serials from the PKI registry, read at most every two seconds. */
function cachedRevocations(store: FilePkiStore): () => Promise<ReadonlySet<string>> {
  let cached: { at: number; serials: Promise<Set<string>> } | undefined;
  return () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > REVOCATIONS_TTL_MS) {
      cached = { at: now, serials: store.revokedSerials() };
    }
    return cached.serials;
  };
}

export interface AgentListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  /** DNS names for the server certificate besides localhost. */
  readonly hostnames: readonly string[];
}

/**
 * The issuance service's reader-agent listener (mutual TLS). Its server certificate is issued
 * from the platform CA at each start and kept in memory only. Without a platform CA there is no
 * listener, and the log says why.
 */
export async function startIssuanceAgentListener(
  platform: Platform,
  deps: IssuanceDeps,
  opts: AgentListenerOptions,
): Promise<{ url: string; close(): Promise<void> } | undefined> {
  const dir = path.resolve(platform.config.CITYCARD_DATA_DIR, 'pki');
  const kek = { id: PKI_KEK_ID, key: deps.cardKeyKek.key };
  let server;
  try {
    server = await issueServerCertificateFromStore(dir, kek, { dnsNames: opts.hostnames });
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'PKI_NOT_INITIALISED') throw error;
    platform.log.warn({ dir }, 'reader-agent listener off: no platform CA (run citycard pki init)');
    return undefined;
  }
  const tls = {
    keyPem: server.keyPem,
    certPem: server.certPem,
    caCertPem: server.caCertPem,
    revokedSerials: cachedRevocations(new FilePkiStore(dir, kek)),
  };
  const listener = await buildAgentApp(deps, tls, opts.logLevel);
  const url = await listener.listen({ host: opts.host, port: opts.port });
  return { url, close: () => listener.close() };
}
