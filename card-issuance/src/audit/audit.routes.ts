import { withTransaction } from '@citycard/core/db';
import { z } from 'zod';
import type { Role } from '../auth/roles.js';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { listAudit } from './audit.repository.js';
import type { ChainedRow } from './chain.js';
import { verifyAuditChain } from './verify.js';

export const AUDIT_READERS: readonly Role[] = ['supervisor', 'auditor', 'admin'];
export const AUDIT_VERIFIERS: readonly Role[] = ['supervisor', 'auditor', 'admin'];

const tags = ['audit'];
const seq = z.string().regex(/^[1-9]\d{0,18}$/);
const text = z.string().min(1).max(200);
const timestamp = z.iso.datetime({ offset: true });

const auditQuery = z.strictObject({
  targetType: text.optional(),
  targetId: text.optional(),
  actorStaffId: z.uuid().optional(),
  action: text.optional(),
  from: timestamp.optional(),
  to: timestamp.optional(),
  before: seq.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const auditEntry = z.object({
  seq: z.string(),
  at: timestamp,
  actor: z.object({
    staffId: z.uuid().nullable(),
    roles: z.array(z.string()),
    system: z.string().nullable(),
  }),
  counterId: z.uuid().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  requestId: z.string(),
  beforeHash: z.string().nullable(),
  afterHash: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});

const auditPage = z.object({ entries: z.array(auditEntry), nextBefore: z.string().nullable() });

const verifyQuery = z.strictObject({ fromSeq: seq.optional() });
const verifyResult = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBrokenSeq: z.string().optional(),
  reason: z.enum(['seq_gap', 'prev_hash_mismatch', 'hash_mismatch', 'head_mismatch']).optional(),
});

function toEntry(r: ChainedRow): z.input<typeof auditEntry> {
  return {
    seq: r.seq,
    at: r.at.toISOString(),
    actor: { staffId: r.actorStaffId, roles: [...r.actorRoles], system: r.actorSystem },
    counterId: r.counterId,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    requestId: r.requestId,
    beforeHash: r.beforeHash,
    afterHash: r.afterHash,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

export function registerAuditRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'GET',
    url: '/audit',
    summary: 'Audit entries, newest first, by target, actor, action and time',
    tags,
    access: AUDIT_READERS,
    query: auditQuery,
    response: auditPage,
    handler: async ({ query }) => {
      const rows = await listAudit(deps.db, query);
      const last = rows.at(-1);
      return {
        entries: rows.map(toEntry),
        nextBefore: rows.length === query.limit && last !== undefined ? last.seq : null,
      };
    },
  });

  router.route({
    method: 'GET',
    url: '/audit/verify',
    summary: 'Recheck the hash chain of the audit log',
    tags,
    access: AUDIT_VERIFIERS,
    query: verifyQuery,
    response: verifyResult,
    handler: async ({ query }) =>
      // One snapshot for the whole walk, however long it takes.
      withTransaction(
        deps.db,
        (tx) => verifyAuditChain(tx, query.fromSeq === undefined ? {} : { fromSeq: query.fromSeq }),
        { isolation: 'repeatable read' },
      ),
  });
}
