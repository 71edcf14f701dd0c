import type { Queryable } from '@citycard/core/db';
import {
  GENESIS_HASH,
  verifyRows,
  type ChainCursor,
  type ChainedRow,
  type ChainVerdict,
} from './chain.js';

interface AuditLogRow {
  seq: string;
  at: Date;
  actor_staff_id: string | null;
  actor_roles: string[];
  actor_system: string | null;
  counter_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  request_id: string;
  before_hash: string | null;
  after_hash: string | null;
  prev_hash: string;
  hash: string;
}

export const AUDIT_LOG_COLUMNS = `seq, at, actor_staff_id, actor_roles, actor_system, counter_id,
  action, target_type, target_id, request_id, before_hash, after_hash, prev_hash, hash`;

export function toChainedRow(r: AuditLogRow): ChainedRow {
  return {
    seq: r.seq,
    at: r.at,
    actorStaffId: r.actor_staff_id,
    actorRoles: r.actor_roles,
    actorSystem: r.actor_system,
    counterId: r.counter_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    requestId: r.request_id,
    beforeHash: r.before_hash,
    afterHash: r.after_hash,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export type { AuditLogRow };

const BATCH = 2_000;

async function startCursor(db: Queryable, fromSeq: bigint): Promise<ChainCursor | undefined> {
  if (fromSeq <= 1n) return { seq: '0', hash: GENESIS_HASH };
  const { rows } = await db.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit_log WHERE seq = $1',
    [(fromSeq - 1n).toString()],
  );
  return rows[0];
}

async function readBatch(db: Queryable, after: string, upTo: string): Promise<ChainedRow[]> {
  const { rows } = await db.query<AuditLogRow>(
    `SELECT ${AUDIT_LOG_COLUMNS} FROM audit_log WHERE seq > $1 AND seq <= $2
      ORDER BY seq LIMIT ${BATCH}`,
    [after, upTo],
  );
  return rows.map(toChainedRow);
}

/**
 * Rechecks the chain from `fromSeq` (default the first row) up to the head as it was when the
 * check began; rows appended meanwhile are left for the next run. The head's own record of the
 * last row catches removal of rows from the end, which links alone cannot.
 */
export async function verifyAuditChain(
  db: Queryable,
  options: { fromSeq?: bigint | string | number } = {},
): Promise<ChainVerdict> {
  const { rows: heads } = await db.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit_chain_head',
  );
  const head = heads[0] ?? { seq: '0', hash: GENESIS_HASH };
  const fromSeq = BigInt(options.fromSeq ?? 1);
  // Starting past the head checks nothing, and has nothing to compare with.
  if (fromSeq > BigInt(head.seq)) return { ok: true, checked: 0 };
  let cursor = await startCursor(db, fromSeq);
  if (cursor === undefined) {
    return { ok: false, checked: 0, firstBrokenSeq: (fromSeq - 1n).toString(), reason: 'seq_gap' };
  }
  let checked = 0;
  for (;;) {
    const batch = await readBatch(db, cursor.seq, head.seq);
    const { verdict, cursor: next } = verifyRows(cursor, batch);
    checked += verdict.checked;
    if (!verdict.ok) return { ...verdict, checked };
    cursor = next;
    if (batch.length < BATCH) break;
  }
  return headMatches(cursor, head, checked);
}

function headMatches(cursor: ChainCursor, head: ChainCursor, checked: number): ChainVerdict {
  if (cursor.seq === head.seq && cursor.hash === head.hash) return { ok: true, checked };
  const missing = cursor.seq === head.seq ? cursor.seq : (BigInt(cursor.seq) + 1n).toString();
  const reason = cursor.seq === head.seq ? 'head_mismatch' : 'seq_gap';
  return { ok: false, checked, firstBrokenSeq: missing, reason };
}
