import type { Queryable } from '@citycard/core/db';
import { parseFareSet, type FareSet } from '@citycard/terminal-sdk/fare';
import type { FareSetLookup } from '../deps.js';

/**
 * Published fare sets by version, read from fare_sets and kept: a published version never
 * changes, so each is parsed once per process.
 */
export function publishedFareSets(db: Queryable): FareSetLookup {
  const cache = new Map<string, FareSet>();
  return async (versions) => {
    const missing = versions.filter((v) => !cache.has(v));
    if (missing.length > 0) {
      const { rows } = await db.query<{ version: string; body: unknown }>(
        'SELECT version, body FROM fare_sets WHERE version = ANY($1::text[])',
        [missing],
      );
      for (const row of rows) cache.set(row.version, parseFareSet(row.body));
    }
    const found = new Map<string, FareSet>();
    for (const v of versions) {
      const set = cache.get(v);
      if (set !== undefined) found.set(v, set);
    }
    return found;
  };
}

/** A fixed list of fare sets (tests, and tools that price against files). */
export function staticFareSets(sets: readonly FareSet[]): FareSetLookup {
  const byVersion = new Map(sets.map((s) => [s.version, s]));
  return (versions) =>
    Promise.resolve(
      new Map(
        versions.flatMap((v) => (byVersion.has(v) ? [[v, byVersion.get(v) as FareSet]] : [])),
      ),
    );
}
