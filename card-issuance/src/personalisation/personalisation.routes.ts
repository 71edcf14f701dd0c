import { z } from 'zod';
import { withTransaction } from '@citycard/core/db';
import { agentId } from '../agent/agent.schemas.js';
import { listPlansOfCard } from '../agent/plan.repository.js';
import { CARD_CLERKS, CARD_READERS } from '../cards/card-context.js';
import { requireCard } from '../cards/card.repository.js';
import { cardIdParams } from '../cards/card.schemas.js';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { planPersonalisation } from './personalisation.js';

const tags = ['personalisation'];

const planBody = z.object({ agentId }).strict();
const plannedResult = z.object({
  planId: z.uuid(),
  uid: z.string(),
  purpose: z.enum(['personalise', 'recover']),
  expiresAt: z.string(),
});
const statusResult = z.object({
  cardId: z.uuid(),
  status: z.enum(['not_started', 'in_progress', 'done']),
  keyedSectors: z.array(z.number().int()),
  keyVersion: z.number().int().nullable(),
  layoutVersion: z.number().int().nullable(),
  plans: z.array(
    z.object({
      planId: z.uuid(),
      purpose: z.string(),
      agentId: z.string(),
      status: z.string(),
      createdAt: z.string(),
      expiresAt: z.string(),
      reportedAt: z.string().nullable(),
      message: z.string().nullable(),
    }),
  ),
});

export function registerPersonalisationRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'POST',
    url: '/cards/:id/personalisation',
    summary:
      'Plan the chip personalisation of an issued card for the reader agent at this counter ' +
      '(a recovery plan when an earlier run stopped half way)',
    tags,
    access: CARD_CLERKS,
    params: cardIdParams,
    body: planBody,
    response: plannedResult,
    status: 201,
    handler: async ({ params, body, principal, request }) => {
      const ctx = { staff: principal, requestId: request.id, now: deps.clock() };
      const planned = await withTransaction(deps.db, (tx) =>
        planPersonalisation(tx, deps, ctx, params.id, body.agentId),
      );
      return { ...planned, expiresAt: planned.expiresAt.toISOString() };
    },
  });

  router.route({
    method: 'GET',
    url: '/cards/:id/personalisation',
    summary: "How far a card's personalisation got, and the plans made for it",
    tags,
    access: CARD_READERS,
    params: cardIdParams,
    response: statusResult,
    handler: async ({ params }) => {
      const card = await requireCard(deps.db, params.id);
      const plans = await listPlansOfCard(deps.db, card.id);
      return {
        cardId: card.id,
        status: card.personalisation,
        keyedSectors: card.keyedSectors,
        keyVersion: card.keyVersion,
        layoutVersion: card.layoutVersion,
        plans: plans
          .filter((p) => p.purpose === 'personalise' || p.purpose === 'recover')
          .map((p) => ({
            planId: p.id,
            purpose: p.purpose,
            agentId: p.agentId,
            status:
              p.status === 'pending' && p.expiresAt <= deps.clock() && p.firstFetchedAt === null
                ? 'expired'
                : p.status,
            createdAt: p.createdAt.toISOString(),
            expiresAt: p.expiresAt.toISOString(),
            reportedAt: p.reportedAt?.toISOString() ?? null,
            message: p.answer?.message ?? null,
          })),
      };
    },
  });
}
