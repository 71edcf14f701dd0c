import { withTransaction, type Queryable } from '@citycard/core/db';
import { z } from 'zod';
import type { Role } from '../auth/roles.js';
import { CARD_SUPERVISORS, type ActionContext } from '../cards/card-context.js';
import { requireCard } from '../cards/card.repository.js';
import { cardIdParams, reasonText } from '../cards/card.schemas.js';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import type { CorrectionRow } from './correction.repository.js';
import { correctionsOfCard } from './correction.repository.js';
import { approveCorrection, rejectCorrection, requestCorrection } from './correction.service.js';

const tags = ['balance corrections'];
const CORRECTION_READERS: readonly Role[] = ['supervisor', 'auditor'];

const requestBody = z.object({ readPlanId: z.uuid(), reason: reasonText }).strict();
const approveBody = z.object({ note: reasonText.optional() }).strict().nullish();
const rejectBody = z.object({ note: reasonText }).strict();
const idParams = z.object({ id: z.uuid() });

export const correctionResult = z.object({
  id: z.uuid(),
  cardId: z.uuid(),
  readPlanId: z.uuid(),
  cardBalance: z.string(),
  purseCounter: z.number().int(),
  shadowBalance: z.string(),
  amount: z.string(),
  reason: z.string(),
  state: z.enum(['requested', 'approved', 'rejected']),
  requestedBy: z.uuid(),
  requestedAt: z.string(),
  decidedBy: z.uuid().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
});
const correctionList = z.object({ items: z.array(correctionResult) });

function toResult(c: CorrectionRow) {
  return {
    ...c,
    requestedAt: c.requestedAt.toISOString(),
    decidedAt: c.decidedAt?.toISOString() ?? null,
  };
}

export function registerCorrectionRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  const ctx = (staff: ActionContext['staff'], requestId: string): ActionContext => ({
    staff,
    requestId,
    now: deps.clock(),
  });
  const inTx = <T>(fn: (tx: Queryable) => Promise<T>) => withTransaction(deps.db, fn);
  router.route({
    method: 'POST',
    url: '/cards/:id/balance-corrections',
    summary:
      "Ask to bring the shadow balance to the card's read balance (a second supervisor approves)",
    tags,
    access: CARD_SUPERVISORS,
    params: cardIdParams,
    body: requestBody,
    response: correctionResult,
    status: 201,
    handler: async ({ params, body, principal, request }) => {
      const c = ctx(principal, request.id);
      return toResult(await inTx((tx) => requestCorrection(tx, deps, c, params.id, body)));
    },
  });
  router.route({
    method: 'POST',
    url: '/balance-corrections/:id/approve',
    summary: 'Approve a balance correction another supervisor asked for; the shadow balance moves',
    tags,
    access: CARD_SUPERVISORS,
    params: idParams,
    body: approveBody,
    response: correctionResult,
    handler: async ({ params, body, principal, request }) => {
      const c = ctx(principal, request.id);
      const note = body?.note ?? null;
      return toResult(await inTx((tx) => approveCorrection(tx, c, params.id, note)));
    },
  });
  router.route({
    method: 'POST',
    url: '/balance-corrections/:id/reject',
    summary: 'Turn down (or, for the one who asked, withdraw) a balance correction',
    tags,
    access: CARD_SUPERVISORS,
    params: idParams,
    body: rejectBody,
    response: correctionResult,
    handler: async ({ params, body, principal, request }) => {
      const c = ctx(principal, request.id);
      return toResult(await inTx((tx) => rejectCorrection(tx, c, params.id, body.note)));
    },
  });
  router.route({
    method: 'GET',
    url: '/cards/:id/balance-corrections',
    summary: "A card's balance corrections, oldest first",
    tags,
    access: CORRECTION_READERS,
    params: cardIdParams,
    response: correctionList,
    handler: async ({ params }) => {
      await requireCard(deps.db, params.id);
      return { items: (await correctionsOfCard(deps.db, params.id)).map(toResult) };
    },
  });
}
