import { AppError } from '@citycard/core/errors';
import type { ErrorCode } from '@citycard/core/errors';

export interface Versioned<T> {
  readonly version: string;
  readonly effectiveFrom: Date;
  readonly value: T;
}

/**
 * Versions of one thing (fare sets, operator configuration), each in force from its start until
 * the next one's. The whole list is replaced at once, so a lookup never sees a mix.
 */
export class VersionedStore<T> {
  #items: readonly Versioned<T>[] = [];
  readonly #missingCode: ErrorCode;

  constructor(missingCode: ErrorCode) {
    this.#missingCode = missingCode;
  }

  replace(items: readonly Versioned<T>[]): void {
    this.#items = [...items].sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime());
  }

  /** Versions held, oldest start first. */
  list(): readonly Versioned<T>[] {
    return this.#items;
  }

  /** The version a stable ETag-like token names: all versions held, in order. */
  get versions(): string {
    return this.#items.map((i) => i.version).join(',');
  }

  entryAt(at: Date): Versioned<T> {
    let found: Versioned<T> | undefined;
    for (const item of this.#items) {
      if (item.effectiveFrom.getTime() <= at.getTime()) found = item;
      else break;
    }
    if (!found) throw new AppError(this.#missingCode, { details: { at: at.toISOString() } });
    return found;
  }

  current(at: Date): T {
    return this.entryAt(at).value;
  }
}
