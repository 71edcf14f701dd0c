import type { Queryable } from '@citycard/core/db';
import type { HotlistEntry, HotlistResponse } from '@citycard/terminal-sdk/protocol';

export interface HotlistPolicy {
  /** A delta reaching further back than this many days is answered with the full list. */
  readonly deltaMaxAgeDays: number;
  /** A delta with more changes than this is answered with the full list (it would be larger). */
  readonly deltaMaxChanges: number;
}

export const defaultHotlistPolicy: HotlistPolicy = { deltaMaxAgeDays: 30, deltaMaxChanges: 50_000 };

/** Where the hotlist is read: issuance's contract view, by its qualified name. */
export interface HotlistSource {
  readonly db: Queryable;
  readonly view: string;
}

/** `"issuance".hotlist_contract`, or the same view in a test's copy of the contract. */
export function hotlistView(issuanceSchema: string): string {
  return `"${issuanceSchema.replaceAll('"', '""')}".hotlist_contract`;
}

interface HotlistRow {
  version: string;
  card_number: string | null;
  uid: string;
  action: 'add' | 'remove';
  reason: string;
}

function entryOf(row: HotlistRow): HotlistEntry {
  return {
    uid: row.uid,
    ...(row.card_number === null ? {} : { cardNumber: row.card_number }),
    reason: row.reason,
  };
}

/**
 * The highest version a terminal may be moved to. Versions come from an identity column, so one
 * transaction can commit version n+1 while n is still open: handing out n+1 would make a terminal
 * skip n for ever. Among the last few seconds' rows, stop before the first missing number; an
 * older hole is a rolled-back transaction and is ignored.
 */
async function latestVersion(src: HotlistSource): Promise<number> {
  const { rows } = await src.db.query<{ version: string; settled: boolean }>(
    `WITH settled AS (
       SELECT coalesce(max(version), 0) AS v FROM ${src.view}
        WHERE created_at < now() - interval '10 seconds')
     SELECT v::text AS version, true AS settled FROM settled
     UNION ALL
     SELECT h.version::text, false FROM ${src.view} h, settled
      WHERE h.version > settled.v
     ORDER BY 2 DESC, 1`,
  );
  let safe = Number(rows[0]?.version ?? 0);
  for (const row of rows
    .slice(1)
    .map((r) => Number(r.version))
    .sort((a, b) => a - b)) {
    if (row !== safe + 1) break;
    safe = row;
  }
  return safe;
}

/** Whether the changes after `since` are few and recent enough to send as a delta. */
async function deltaFits(
  src: HotlistSource,
  since: number,
  policy: HotlistPolicy,
  now: Date,
): Promise<boolean> {
  const { rows } = await src.db.query<{ n: string; oldest: Date | null }>(
    `SELECT count(*)::text AS n, min(created_at) AS oldest
       FROM (SELECT created_at FROM ${src.view}
              WHERE version > $1 ORDER BY version LIMIT $2) d`,
    [since, policy.deltaMaxChanges + 1],
  );
  const row = rows[0];
  if (row === undefined || Number(row.n) > policy.deltaMaxChanges) return false;
  const horizon = now.getTime() - policy.deltaMaxAgeDays * 86_400_000;
  return row.oldest === null || row.oldest.getTime() >= horizon;
}

/** The last change per card (by UID) in the window decides whether it is added or removed. */
async function delta(src: HotlistSource, since: number, version: number): Promise<HotlistResponse> {
  const { rows } = await src.db.query<HotlistRow>(
    `SELECT DISTINCT ON (uid) version::text, card_number, uid, action, reason
       FROM ${src.view}
      WHERE version > $1 AND version <= $2
      ORDER BY uid, version DESC`,
    [since, version],
  );
  const add = rows.filter((r) => r.action === 'add').map(entryOf);
  const remove = rows.filter((r) => r.action === 'remove').map(entryOf);
  return { v: 1, kind: 'delta', since, version, add, remove };
}

async function full(src: HotlistSource, version: number): Promise<HotlistResponse> {
  const { rows } = await src.db.query<HotlistRow>(
    `SELECT * FROM (
       SELECT DISTINCT ON (uid) version::text, card_number, uid, action, reason
         FROM ${src.view}
        WHERE version <= $1
        ORDER BY uid, version DESC) last
      WHERE action = 'add'
      ORDER BY uid`,
    [version],
  );
  return { v: 1, kind: 'full', version, entries: rows.map(entryOf) };
}

/**
 * A terminal at `since` gets the delta to the latest version, or the full list when `since` is
 * 0, ahead of the gateway (a list from another installation), or older than the policy keeps.
 */
export async function hotlistSince(
  src: HotlistSource,
  since: number,
  policy: HotlistPolicy,
  now: Date,
): Promise<HotlistResponse> {
  const version = await latestVersion(src);
  if (since === version && since > 0) {
    return { v: 1, kind: 'delta', since, version, add: [], remove: [] };
  }
  if (since === 0 || since > version || !(await deltaFits(src, since, policy, now))) {
    return full(src, version);
  }
  return delta(src, since, version);
}
