import type { Queryable } from '@citycard/core/db';
import type { HotlistAction, HotlistReason } from './lifecycle.js';

export interface HotlistEntry {
  /** bigint as text */
  readonly version: string;
  readonly cardNumber: string | null;
  readonly uid: string;
  readonly action: HotlistAction;
  readonly reason: HotlistReason;
  readonly createdAt: Date;
}

export interface HotlistWrite {
  readonly cardId: string;
  readonly cardNumber: string | null;
  readonly uid: string;
  readonly action: HotlistAction;
  readonly reason: HotlistReason;
  readonly at: Date;
}

// 'citycard.hotlist' folded into an int8, the key of the transaction lock below.
const HOTLIST_LOCK = '7163384747016680037';

/**
 * Readers take "everything after the last version I saw". Identity values are handed out at
 * insert but become visible at commit, so two concurrent writers could commit out of order and a
 * reader would skip the lower version for good. Writers therefore queue on a transaction lock:
 * versions become visible in order. Callers append hotlist entries last in their transaction
 * to keep the queue short.
 */
export async function appendHotlist(tx: Queryable, entry: HotlistWrite): Promise<string> {
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [HOTLIST_LOCK]);
  const { rows } = await tx.query<{ version: string }>(
    `INSERT INTO hotlist (card_id, card_number, uid, action, reason, at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING version::text AS version`,
    [entry.cardId, entry.cardNumber, entry.uid, entry.action, entry.reason, entry.at],
  );
  return rows[0]?.version ?? '0';
}

/** Whether the card's latest hotlist entry lists it. */
export async function isHotlisted(tx: Queryable, cardId: string): Promise<boolean> {
  const { rows } = await tx.query<{ action: HotlistAction }>(
    'SELECT action FROM hotlist WHERE card_id = $1 ORDER BY version DESC LIMIT 1',
    [cardId],
  );
  return rows[0]?.action === 'add';
}

/**
 * The gateway's delta: entries after `sinceVersion`, oldest first, read from the contract view.
 * ORDER BY names the view's bigint column: a bare `version` would sort the text alias, and "100"
 * would come before "99".
 */
export async function hotlistSince(
  tx: Queryable,
  sinceVersion: string,
  limit: number,
): Promise<HotlistEntry[]> {
  const { rows } = await tx.query<HotlistEntry>(
    `SELECT version::text AS version, card_number AS "cardNumber", uid, action, reason,
       created_at AS "createdAt"
     FROM hotlist_contract h WHERE h.version > $1::bigint ORDER BY h.version LIMIT $2`,
    [sinceVersion, limit],
  );
  return rows;
}

export async function latestHotlistVersion(tx: Queryable): Promise<string> {
  const { rows } = await tx.query<{ version: string }>(
    'SELECT COALESCE(max(version), 0)::text AS version FROM hotlist',
  );
  return rows[0]?.version ?? '0';
}
