import { deriveCardKeys, type CardKeys, type MasterKeySet } from '@citycard/core/card';

/** Where a terminal gets one card's diversified keys (a SAM in a real validator). */
export interface CardKeySource {
  keysFor(uid: Buffer): CardKeys;
}

/**
 * A software stand-in for a terminal SAM: it derives card keys from master keys held in process
 * memory. For development, tests and the simulator only — a deployed validator keeps its master
 * keys in a secure access module and never in the application's memory.
 */
export class SoftSam implements CardKeySource {
  readonly #masters: MasterKeySet;

  constructor(masters: MasterKeySet) {
    this.#masters = masters;
  }

  get keyVersion(): number {
    return this.#masters.version;
  }

  keysFor(uid: Buffer): CardKeys {
    return deriveCardKeys(this.#masters, uid);
  }
}
