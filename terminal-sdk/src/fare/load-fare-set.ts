import { readFile } from 'node:fs/promises';
import { AppError } from '@citycard/core/errors';
import { fareIndex } from './fare-index.js';
import { fareSetSchema, type FareSet } from './fare-set.schema.js';

/**
 * A fare set from parsed JSON (or typed data): the schema, then every reference and the rules the
 * engine relies on (unique card codes, a maximum fare per distance network that no leg exceeds,
 * one default rider category). Throws FARE_SET_INVALID with the reasons.
 */
export function parseFareSet(input: unknown): FareSet {
  const parsed = fareSetSchema.safeParse(input);
  if (!parsed.success) {
    const reasons = parsed.error.issues
      .slice(0, 50)
      .map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
    throw new AppError('FARE_SET_INVALID', { details: { reasons } });
  }
  const set = deepFreeze(parsed.data);
  fareIndex(set);
  return set;
}

export function fareSetFromJson(text: string): FareSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError('FARE_SET_INVALID', { message: 'The fare set is not JSON' });
  }
  return parseFareSet(json);
}

export async function loadFareSetFile(path: string): Promise<FareSet> {
  return fareSetFromJson(await readFile(path, 'utf8'));
}

/** A loaded fare set never changes, so its index can be cached and shared. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
