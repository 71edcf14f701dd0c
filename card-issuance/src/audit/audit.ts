import type { Queryable } from '@citycard/core/db';
import type { StaffPrincipal } from '../auth/roles.js';
import { chainHash, snapshotHash, type AuditFields } from './chain.js';

export type AuditActor = StaffPrincipal | { readonly system: string };

export interface AuditEntry {
  readonly actor: AuditActor;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly requestId: string;
  /** Hashed before it is stored: the log proves what a thing looked like without keeping it. */
  readonly before?: unknown;
  readonly after?: unknown;
}

function actorFields(actor: AuditActor) {
  if ('system' in actor) {
    return { actorStaffId: null, actorRoles: [], actorSystem: actor.system, counterId: null };
  }
  return {
    actorStaffId: actor.id,
    actorRoles: [...actor.roles],
    actorSystem: null,
    counterId: actor.counterId,
  };
}

/**
 * Appends one row to the audit chain inside the caller's transaction. The chain head stays
 * locked until that transaction ends, so call this late in it: audit writers queue behind one
 * another.
 */
export async function recordAudit(tx: Queryable, entry: AuditEntry): Promise<void> {
  const { rows } = await tx.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit_chain_head FOR UPDATE',
  );
  const head = rows[0];
  if (head === undefined) throw new Error('audit_chain_head is missing its row');
  const fields: AuditFields = {
    seq: (BigInt(head.seq) + 1n).toString(),
    // Milliseconds survive the round trip through timestamptz exactly, so the hash rechecks.
    at: new Date(),
    ...actorFields(entry.actor),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    requestId: entry.requestId,
    beforeHash: snapshotHash(entry.before),
    afterHash: snapshotHash(entry.after),
  };
  const hash = chainHash(head.hash, fields);
  await tx.query(
    `INSERT INTO audit_log (seq, at, actor_staff_id, actor_roles, actor_system, counter_id,
       action, target_type, target_id, request_id, before_hash, after_hash, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      fields.seq,
      fields.at,
      fields.actorStaffId,
      fields.actorRoles,
      fields.actorSystem,
      fields.counterId,
      fields.action,
      fields.targetType,
      fields.targetId,
      fields.requestId,
      fields.beforeHash,
      fields.afterHash,
      head.hash,
      hash,
    ],
  );
  await tx.query('UPDATE audit_chain_head SET seq = $1, hash = $2', [fields.seq, hash]);
}
