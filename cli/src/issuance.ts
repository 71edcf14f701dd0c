import { z } from 'zod';
import { keyMaterial } from '@citycard/core/config';
import { deriveKeyId, parseKek } from '@citycard/core/crypto';
import { createPool } from '@citycard/core/db';
import { defaultSettings, service, type IssuanceDeps } from '@citycard/card-issuance';
import { loadSecrets, type Platform } from './platform.js';

const secretsSchema = z.object({
  /** Seals cardholder identity numbers at rest. */
  CITYCARD_PII_KEK: keyMaterial,
  /** Keys the blind index over identity numbers; changing it means re-indexing. */
  CITYCARD_BLIND_INDEX_KEY: keyMaterial,
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
  ]);
  for (const g of generated) {
    platform.log.warn(
      { variable: g.variable, file: g.file },
      `${platform.config.CITYCARD_MODE} mode: generated a secret (never in production)`,
    );
  }
  const piiKey = parseKek(secrets.CITYCARD_PII_KEK);
  return {
    db,
    log: platform.log,
    piiKek: { id: deriveKeyId(piiKey), key: piiKey },
    blindIndexKey: parseKek(secrets.CITYCARD_BLIND_INDEX_KEY),
    clock: () => new Date(),
    settings: defaultSettings,
    redisUrl: platform.config.REDIS_URL,
  };
}
