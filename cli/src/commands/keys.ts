import type { Command } from 'commander';
import { z } from 'zod';
import { keyMaterial } from '@citycard/core/config';
import { deriveKeyId, parseKek, type KeyEncryptionKey } from '@citycard/core/crypto';
import { withTransaction } from '@citycard/core/db';
import { initMasterKeys, listKeyVersions, rotateMasterKeys } from '@citycard/card-issuance';
import { issuancePool } from '../issuance.js';
import { loadSecrets, openPlatform, type Platform } from '../platform.js';

async function platformKek(platform: Platform): Promise<KeyEncryptionKey> {
  const { secrets, generated } = await loadSecrets(
    platform.config,
    z.object({ CITYCARD_KEK: keyMaterial }),
    ['CITYCARD_KEK'],
  );
  for (const g of generated)
    console.error(
      `${platform.config.CITYCARD_MODE} mode: generated ${g.variable} into ${g.file} (never do this in production)`,
    );
  const key = parseKek(secrets.CITYCARD_KEK);
  return { id: deriveKeyId(key), key };
}

async function withIssuanceDb<T>(
  work: (db: ReturnType<typeof issuancePool>, platform: Platform) => Promise<T>,
): Promise<T> {
  const platform = await openPlatform('cli');
  const db = issuancePool(platform);
  try {
    return await work(db, platform);
  } finally {
    await db.end();
    await platform.close();
  }
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('card master keys of the issuance service, sealed under CITYCARD_KEK');

  keys
    .command('init')
    .description('generate key version 1 (refused when keys exist: use rotate)')
    .option('--note <text>', 'a note kept with the version')
    .action(async (opts: { note?: string }) => {
      await withIssuanceDb(async (db, platform) => {
        const kek = await platformKek(platform);
        const { version } = await withTransaction(db, (tx) =>
          initMasterKeys(tx, kek, { now: new Date(), ...(opts.note ? { note: opts.note } : {}) }),
        );
        console.log(`Generated card master keys, version ${version}.`);
      });
    });

  keys
    .command('rotate')
    .description('add key version N+1 for new cards; cards keep working on the version they carry')
    .option('--note <text>', 'a note kept with the version')
    .action(async (opts: { note?: string }) => {
      await withIssuanceDb(async (db, platform) => {
        const kek = await platformKek(platform);
        const { version } = await withTransaction(db, (tx) =>
          rotateMasterKeys(tx, kek, { now: new Date(), ...(opts.note ? { note: opts.note } : {}) }),
        );
        console.log(`Added card master keys, version ${version}; new cards get it from now on.`);
      });
    });

  keys
    .command('list')
    .description('key versions and when they were made (never key material)')
    .action(async () => {
      await withIssuanceDb(async (db) => {
        for (const v of await listKeyVersions(db)) {
          console.log(
            JSON.stringify({
              version: v.version,
              createdAt: v.createdAt.toISOString(),
              kekId: v.kekId,
              keys: v.keyCount,
              note: v.note,
            }),
          );
        }
      });
    });
}
