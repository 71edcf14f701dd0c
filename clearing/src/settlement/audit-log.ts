import { createHash } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';

export interface AuditInput {
  readonly at: Date;
  readonly actor: string;
  /** e.g. settlement.approve, settlement.instruct, settlement.confirm_import */
  readonly action: string;
  readonly runId: string | null;
  readonly day: string | null;
  readonly fromStatus?: string | null;
  readonly toStatus?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditRow extends Required<AuditInput> {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

const GENESIS = '0'.repeat(64);
/** Serialises appends across transactions; the key is clearing's own. */
const AUDIT_LOCK_KEY = 'clearing.audit_log';

/** JSON with object keys sorted at every depth: jsonb reorders keys, the hash must not care. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function rowHash(prevHash: string, seq: number, input: AuditInput): string {
  const body = canonicalJson({
    seq,
    at: input.at.toISOString(),
    actor: input.actor,
    action: input.action,
    runId: input.runId,
    day: input.day,
    fromStatus: input.fromStatus ?? null,
    toStatus: input.toStatus ?? null,
    details: input.details ?? {},
  });
  return createHash('sha256').update(`${prevHash}\n${body}`, 'utf8').digest('hex');
}

/** Appends one row; call inside the transaction that makes the change it records. */
export async function appendAudit(tx: Queryable, input: AuditInput): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [AUDIT_LOCK_KEY]);
  const { rows } = await tx.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM clearing.audit_log ORDER BY seq DESC LIMIT 1',
  );
  const seq = rows[0] === undefined ? 1 : Number(rows[0].seq) + 1;
  const prevHash = rows[0]?.hash ?? GENESIS;
  await tx.query(
    `INSERT INTO clearing.audit_log
       (seq, at, actor, action, run_id, business_day, from_status, to_status, details,
        prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      seq,
      input.at,
      input.actor,
      input.action,
      input.runId,
      input.day,
      input.fromStatus ?? null,
      input.toStatus ?? null,
      canonicalJson(input.details ?? {}),
      prevHash,
      rowHash(prevHash, seq, input),
    ],
  );
  return seq;
}

interface StoredRow {
  seq: string;
  at: Date;
  actor: string;
  action: string;
  run_id: string | null;
  business_day: string | null;
  from_status: string | null;
  to_status: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

function toRow(r: StoredRow): AuditRow {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    runId: r.run_id,
    day: r.business_day,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    details: r.details,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

const SELECT_ROWS = `SELECT seq, at, actor, action, run_id, to_char(business_day, 'YYYY-MM-DD')
  AS business_day, from_status, to_status, details, prev_hash, hash FROM clearing.audit_log`;

export async function auditTrail(db: Queryable, runId: string): Promise<AuditRow[]> {
  const { rows } = await db.query<StoredRow>(`${SELECT_ROWS} WHERE run_id = $1 ORDER BY seq`, [
    runId,
  ]);
  return rows.map(toRow);
}

/** Rechecks the whole chain: every hash, every link, no gap in seq. */
export async function verifyAuditChain(
  db: Queryable,
): Promise<{ ok: boolean; checked: number; firstBrokenSeq: number | null }> {
  const { rows } = await db.query<StoredRow>(`${SELECT_ROWS} ORDER BY seq`);
  let prev = GENESIS;
  let checked = 0;
  for (const stored of rows) {
    const row = toRow(stored);
    const expected = rowHash(prev, row.seq, row);
    if (row.seq !== checked + 1 || row.prevHash !== prev || row.hash !== expected) {
      return { ok: false, checked, firstBrokenSeq: row.seq };
    }
    prev = row.hash;
    checked += 1;
  }
  return { ok: true, checked, firstBrokenSeq: null };
}
