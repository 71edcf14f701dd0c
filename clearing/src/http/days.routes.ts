import { z } from 'zod';
import type { Router } from '@citycard/core/http';
import { amountString, parseAmount } from '@citycard/core/money';
import type { ClearingDeps } from '../deps.js';
import {
  EXCEPTION_KINDS,
  latestReconciliation,
  listExceptions,
  reconcileDay,
} from '../reconciliation/index.js';
import { financeSummary } from '../reports/index.js';
import { recordAdjustment, verifyAuditChain } from '../settlement/index.js';
import type { StaffPrincipal, StaffRole } from '../staff/index.js';
import { actorOf } from './actor.js';
import { dayParam, toWire, uuidParam } from './wire.js';

const readers: StaffRole[] = ['finance', 'auditor', 'admin'];
const dayParams = z.strictObject({ day: dayParam });
const loose = z.record(z.string(), z.unknown());

export function registerDayRoutes(
  router: Router<StaffRole, StaffPrincipal>,
  deps: ClearingDeps,
): void {
  router.route({
    method: 'GET',
    url: '/v1/days/:day/summary',
    summary: 'Daily finance summary: the run, settlement, float check and exceptions',
    tags: ['reports'],
    access: readers,
    params: dayParams,
    response: loose,
    handler: async ({ params }) => toWire(await financeSummary(deps.db, params.day)) as never,
  });

  router.route({
    method: 'GET',
    url: '/v1/days/:day/reconciliation',
    summary: "The day's latest reconciliation and a page of its exceptions",
    tags: ['reconciliation'],
    access: readers,
    params: dayParams,
    query: z.strictObject({
      kind: z.enum(EXCEPTION_KINDS).optional(),
      afterId: z
        .string()
        .regex(/^\d{1,18}$/)
        .optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(200),
    }),
    response: z.object({ reconciliation: loose.nullable(), exceptions: z.array(loose) }),
    handler: async ({ params, query }) => {
      const reconciliation = await latestReconciliation(deps.db, params.day);
      const exceptions =
        reconciliation === undefined
          ? []
          : await listExceptions(deps.db, { reconciliationId: reconciliation.id, ...query });
      return toWire({ reconciliation: reconciliation ?? null, exceptions }) as never;
    },
  });

  router.route({
    method: 'POST',
    url: '/v1/days/:day/reconciliation',
    summary: 'Reconcile the day again (batch totals, card chains, drawers)',
    tags: ['reconciliation'],
    access: ['finance'],
    status: 201,
    params: dayParams,
    body: z.strictObject({ runId: uuidParam.optional() }),
    response: loose,
    handler: async ({ params, body }) => {
      const { cutoffTime, timeZone } = deps.settings;
      const rec = await reconcileDay(deps.db, {
        day: params.day,
        ...(body.runId === undefined ? {} : { runId: body.runId }),
        now: deps.clock(),
        cutoffTime,
        timeZone,
      });
      return toWire(rec) as never;
    },
  });

  router.route({
    method: 'POST',
    url: '/v1/adjustments',
    summary: 'Record a correction for the next run to pick up (never an edit of a past run)',
    tags: ['settlement'],
    access: ['finance'],
    status: 201,
    body: z.strictObject({
      operatorId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
      amount: amountString,
      reason: z.string().trim().min(3).max(500),
      sourceRunId: uuidParam.optional(),
    }),
    response: z.object({ id: z.string(), operatorId: z.string(), amount: z.string() }),
    handler: async ({ body, principal }) => {
      const amount = parseAmount(body.amount, { allowNegative: true });
      const { id } = await recordAdjustment(deps.db, {
        operatorId: body.operatorId,
        amount,
        reason: body.reason,
        ...(body.sourceRunId === undefined ? {} : { sourceRunId: body.sourceRunId }),
        actor: actorOf(principal),
        now: deps.clock(),
      });
      return { id, operatorId: body.operatorId, amount: amount.toString() };
    },
  });

  router.route({
    method: 'GET',
    url: '/v1/audit/verify',
    summary: 'Recheck the hash chain of the settlement audit log',
    tags: ['settlement'],
    access: ['auditor', 'admin'],
    response: z.object({
      ok: z.boolean(),
      checked: z.number(),
      firstBrokenSeq: z.number().nullable(),
    }),
    handler: () => verifyAuditChain(deps.db),
  });
}
