import { deriveCardKeys, type CardKeys, type MasterKeySet } from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { IssuanceDeps } from '../deps.js';
import { latestKeyVersion, loadMasterKeySet } from './master-keys.js';

/**
 * The service's view of the card master keys: each version is opened once, on first use, and
 * kept in this process's memory. Versions never change once written, so the cache needs no
 * invalidation; a rotation only adds a version, which `latestVersion` sees at once.
 */
export interface KeyRing {
  latestVersion(tx: Queryable): Promise<number>;
  masterKeys(version: number): Promise<MasterKeySet>;
  /** One card's diversified keys; the caller wipes them when done. */
  cardKeys(uid: string, version: number): Promise<CardKeys>;
}

const rings = new WeakMap<IssuanceDeps, KeyRing>();

export function keyRing(deps: IssuanceDeps): KeyRing {
  let ring = rings.get(deps);
  if (ring === undefined) {
    ring = createKeyRing(deps);
    rings.set(deps, ring);
  }
  return ring;
}

function createKeyRing(deps: IssuanceDeps): KeyRing {
  const opened = new Map<number, Promise<MasterKeySet>>();
  const masterKeys = (version: number): Promise<MasterKeySet> => {
    let set = opened.get(version);
    if (set === undefined) {
      set = loadMasterKeySet(deps.db, deps.cardKeyKek, version);
      // A failed open (unknown version, wrong KEK) is not cached: it may succeed later.
      void set.catch(() => opened.delete(version));
      opened.set(version, set);
    }
    return set;
  };
  return {
    async latestVersion(tx) {
      const latest = await latestKeyVersion(tx);
      if (latest === undefined) throw new AppError('KEYS_NOT_INITIALISED');
      return latest;
    },
    masterKeys,
    async cardKeys(uid, version) {
      return deriveCardKeys(await masterKeys(version), Buffer.from(uid, 'hex'));
    },
  };
}
