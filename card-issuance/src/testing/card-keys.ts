import { withTransaction } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { IssuanceDeps } from '../deps.js';
import { initMasterKeys, latestKeyVersion } from '../keys/master-keys.js';

/** Makes sure the shared test schema has card master keys; tests running side by side may race. */
export async function ensureTestMasterKeys(deps: IssuanceDeps): Promise<number> {
  try {
    await withTransaction(deps.db, (tx) =>
      initMasterKeys(tx, deps.cardKeyKek, { now: new Date(), note: 'test keys' }),
    );
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'KEYS_EXIST') throw error;
  }
  const latest = await latestKeyVersion(deps.db);
  if (latest === undefined) throw new Error('no card master keys after init');
  return latest;
}
