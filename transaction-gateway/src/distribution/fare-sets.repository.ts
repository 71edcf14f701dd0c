import { createHash } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { canonicalJson, type FareSetEnvelope } from '@citycard/terminal-sdk/protocol';
import { parseFareSet } from '@citycard/terminal-sdk/fare';

/** At most this many sets go to a terminal: the one in force and those scheduled after it. */
const MAX_SETS = 16;

export interface PublishedFareSet {
  readonly version: string;
  readonly effectiveFrom: Date;
  readonly bodySha256: string;
  readonly publishedBy: string;
  readonly publishedAt: Date;
}

interface FareSetRow {
  version: string;
  effective_from: Date;
  body_sha256: string;
  published_by_username: string;
  published_at: Date;
}

const published = (r: FareSetRow): PublishedFareSet => ({
  version: r.version,
  effectiveFrom: r.effective_from,
  bodySha256: r.body_sha256,
  publishedBy: r.published_by_username,
  publishedAt: r.published_at,
});

/**
 * Validates with the fare engine's own loader (FARE_SET_INVALID with the reasons) and stores the
 * normalised set. Publishing the same version again with the same content answers the stored
 * one; other content under a used version is FARE_SET_VERSION_EXISTS: a version terminals may
 * already hold never changes meaning.
 */
export async function publishFareSet(
  db: Queryable,
  input: unknown,
  by: { id: string; username: string },
  now: Date,
): Promise<{ fareSet: PublishedFareSet; created: boolean }> {
  const set = parseFareSet(input);
  // A plain copy of the normalised set (defaults filled in): what is stored, hashed and sent.
  const plain = JSON.parse(JSON.stringify(set)) as Record<string, unknown>;
  const sha = createHash('sha256').update(canonicalJson(plain)).digest('hex');
  const { rows } = await db.query<FareSetRow>(
    `INSERT INTO fare_sets (version, effective_from, body, body_sha256, published_by,
       published_by_username, published_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (version) DO NOTHING
     RETURNING version, effective_from, body_sha256, published_by_username, published_at`,
    [set.version, new Date(set.effectiveFrom), plain, sha, by.id, by.username, now],
  );
  if (rows[0] !== undefined) return { fareSet: published(rows[0]), created: true };
  const existing = await db.query<FareSetRow>(
    `SELECT version, effective_from, body_sha256, published_by_username, published_at
       FROM fare_sets WHERE version = $1`,
    [set.version],
  );
  const row = existing.rows[0];
  if (row === undefined || row.body_sha256 !== sha) {
    throw new AppError('FARE_SET_VERSION_EXISTS', { details: { version: set.version } });
  }
  return { fareSet: published(row), created: false };
}

export async function listFareSets(db: Queryable): Promise<PublishedFareSet[]> {
  const { rows } = await db.query<FareSetRow>(
    `SELECT version, effective_from, body_sha256, published_by_username, published_at
       FROM fare_sets ORDER BY effective_from DESC, published_at DESC LIMIT 500`,
  );
  return rows.map(published);
}

export interface FareSetsForTerminals {
  readonly fareSets: FareSetEnvelope[];
  /** Changes exactly when the list does: versions and content hashes. */
  readonly etag: string;
}

/** The set in force at `now` and every set scheduled after it, oldest first. */
export async function fareSetsInForce(db: Queryable, now: Date): Promise<FareSetsForTerminals> {
  const { rows } = await db.query<{
    version: string;
    effective_from: Date;
    body: unknown;
    body_sha256: string;
  }>(
    `SELECT version, effective_from, body, body_sha256 FROM fare_sets
      WHERE effective_from > $1
         OR version = (SELECT version FROM fare_sets WHERE effective_from <= $1
                        ORDER BY effective_from DESC, published_at DESC LIMIT 1)
      ORDER BY effective_from, published_at LIMIT $2`,
    [now, MAX_SETS],
  );
  const etag = etagOf(rows.map((r) => `${r.version}:${r.body_sha256}`));
  return {
    fareSets: rows.map((r) => ({
      version: r.version,
      effectiveFrom: r.effective_from.toISOString(),
      body: r.body,
    })),
    etag,
  };
}

export function etagOf(parts: readonly string[]): string {
  return `"${createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 27)}"`;
}
