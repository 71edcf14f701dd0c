import { AppError } from '@citycard/core/errors';
import type { HotlistEntry, HotlistResponse } from '../protocol/index.js';

/** What a tap asks: is this card listed? O(1) by card number or by UID. */
export interface HotlistView {
  readonly version: number;
  isListed(cardNumber: string, uid: string): boolean;
}

export interface HotlistSnapshot {
  readonly version: number;
  readonly entries: readonly HotlistEntry[];
}

/**
 * The terminal's copy of the hotlist. Deltas are checked whole before anything changes and then
 * applied synchronously, so a tap sees the list before or after a delta, never half of one.
 */
export class HotlistStore implements HotlistView {
  #version = 0;
  readonly #byUid = new Map<string, HotlistEntry>();
  readonly #uidByCard = new Map<string, string>();

  static fromSnapshot(snapshot: HotlistSnapshot): HotlistStore {
    const store = new HotlistStore();
    store.apply({ v: 1, kind: 'full', version: snapshot.version, entries: [...snapshot.entries] });
    return store;
  }

  get version(): number {
    return this.#version;
  }

  get size(): number {
    return this.#byUid.size;
  }

  isListed(cardNumber: string, uid: string): boolean {
    return this.#uidByCard.has(cardNumber) || this.#byUid.has(uid.toUpperCase());
  }

  /** Applies a delta from the version held, or replaces everything with a full list. */
  apply(response: HotlistResponse): void {
    if (response.kind === 'full') {
      this.#byUid.clear();
      this.#uidByCard.clear();
      for (const entry of response.entries) this.#add(entry);
      this.#version = response.version;
      return;
    }
    if (response.since !== this.#version || response.version < response.since) {
      throw new AppError('HOTLIST_DELTA_MISMATCH', {
        details: { held: this.#version, since: response.since, version: response.version },
      });
    }
    for (const entry of response.remove) this.#remove(entry);
    for (const entry of response.add) this.#add(entry);
    this.#version = response.version;
  }

  snapshot(): HotlistSnapshot {
    return { version: this.#version, entries: [...this.#byUid.values()] };
  }

  #add(entry: HotlistEntry): void {
    this.#remove(entry);
    this.#byUid.set(entry.uid, entry);
    if (entry.cardNumber) this.#uidByCard.set(entry.cardNumber, entry.uid);
  }

  #remove(entry: HotlistEntry): void {
    const held = this.#byUid.get(entry.uid);
    if (held?.cardNumber) this.#uidByCard.delete(held.cardNumber);
    this.#byUid.delete(entry.uid);
    // A card number listed under another UID (a re-issued chip) is unlisted too.
    if (entry.cardNumber) {
      const uid = this.#uidByCard.get(entry.cardNumber);
      if (uid !== undefined) this.#byUid.delete(uid);
      this.#uidByCard.delete(entry.cardNumber);
    }
  }
}
