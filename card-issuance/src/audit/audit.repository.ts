import type { Queryable } from '@citycard/core/db';
import { AUDIT_LOG_COLUMNS, toChainedRow, type AuditLogRow } from './verify.js';
import type { ChainedRow } from './chain.js';

export interface AuditFilter {
  readonly targetType?: string | undefined;
  readonly targetId?: string | undefined;
  readonly actorStaffId?: string | undefined;
  readonly action?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Newest first: rows with seq below this one (the previous page's `nextBefore`). */
  readonly before?: string | undefined;
  readonly limit: number;
}

export async function listAudit(db: Queryable, f: AuditFilter): Promise<ChainedRow[]> {
  const { rows } = await db.query<AuditLogRow>(
    `SELECT ${AUDIT_LOG_COLUMNS} FROM audit_log
      WHERE ($1::text IS NULL OR target_type = $1)
        AND ($2::text IS NULL OR target_id = $2)
        AND ($3::uuid IS NULL OR actor_staff_id = $3)
        AND ($4::text IS NULL OR action = $4)
        AND ($5::timestamptz IS NULL OR at >= $5)
        AND ($6::timestamptz IS NULL OR at < $6)
        AND ($7::bigint IS NULL OR seq < $7)
      ORDER BY seq DESC LIMIT $8`,
    [
      f.targetType ?? null,
      f.targetId ?? null,
      f.actorStaffId ?? null,
      f.action ?? null,
      f.from ?? null,
      f.to ?? null,
      f.before ?? null,
      f.limit,
    ],
  );
  return rows.map(toChainedRow);
}
