import { withTransaction } from '@citycard/core/db';
import { parseAmount } from '@citycard/core/money';
import { registerCardReadObserver, registerPlanKind } from '../agent/plan-registry.js';
import type { Role } from '../auth/roles.js';
import {
  CARD_CLERKS,
  CARD_READERS,
  CARD_SUPERVISORS,
  type ActionContext,
} from '../cards/card-context.js';
import { requireCard } from '../cards/card.repository.js';
import { cardIdParams } from '../cards/card.schemas.js';
import type { IssuanceDeps } from '../deps.js';
import { registerCorrectionRoutes } from '../corrections/correction.routes.js';
import type { IssuanceRouter } from '../routes.js';
import { getLoadLimits, recordLimitsAudit, setLoadLimits } from './load-limits.js';
import { loadPlanKind } from './load-report.js';
import { resolveLoadsOnRead } from './load-resolution.js';
import { attemptsOfLoad } from './load-attempt.repository.js';
import { listLoadEvents, loadsOfCard, requireLoad } from './load.repository.js';
import {
  limitsBody,
  limitsResult,
  loadDetail,
  loadIdParams,
  loadList,
  loadListQuery,
  loadResult,
  orderBody,
  orderResult,
  retryBody,
  reviewBody,
  toLoadDetail,
  toLoadResult,
} from './load.schemas.js';
import { orderLoad, refundLoad, retryLoad, reviewLoad, type LoadOrder } from './load.service.js';
import { orderTransferCredit } from './transfer-credit.js';

const tags = ['loads'];
const LIMIT_READERS: readonly Role[] = ['clerk', 'supervisor', 'auditor', 'admin'];
const LIMIT_ADMINS: readonly Role[] = ['admin'];

const orderAnswer = (o: LoadOrder) => ({
  loadId: o.load.id,
  planId: o.plan.id,
  uid: o.plan.uid,
  expiresAt: o.plan.expiresAt.toISOString(),
  load: toLoadResult(o.load),
});

type Ctx = (staff: ActionContext['staff'], requestId: string) => ActionContext;

/**
 * Load and balance-correction routes, with the load plan kind and the card-read observer that
 * settles uncertain loads: everything top-ups need, registered in one call.
 */
export function registerLoadRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  registerPlanKind('load', loadPlanKind);
  registerCardReadObserver(resolveLoadsOnRead);
  const ctx: Ctx = (staff, requestId) => ({ staff, requestId, now: deps.clock() });
  registerOrders(router, deps, ctx);
  registerSettlement(router, deps, ctx);
  registerLoadReads(router, deps);
  registerLimits(router, deps);
  registerCorrectionRoutes(router, deps);
}

function registerOrders(router: IssuanceRouter, deps: IssuanceDeps, ctx: Ctx): void {
  router.route({
    method: 'POST',
    url: '/cards/:id/loads',
    summary: "Order a load: cash into the clerk's drawer, a plan for the agent to write the card",
    tags,
    access: CARD_CLERKS,
    params: cardIdParams,
    body: orderBody,
    response: orderResult,
    status: 201,
    handler: async ({ params, body, principal, request }) => {
      const input = { ...body, amount: parseAmount(body.amount) };
      const c = ctx(principal, request.id);
      return orderAnswer(
        await withTransaction(deps.db, (tx) => orderLoad(tx, deps, c, params.id, input)),
      );
    },
  });
  router.route({
    method: 'POST',
    url: '/cards/:id/transfer-credit',
    summary: 'Write a released balance transfer onto the card: a plan like a load, with no cash',
    tags,
    access: CARD_CLERKS,
    params: cardIdParams,
    body: retryBody,
    response: orderResult,
    status: 201,
    handler: async ({ params, body, principal, request }) => {
      const c = ctx(principal, request.id);
      return orderAnswer(
        await withTransaction(deps.db, (tx) => orderTransferCredit(tx, deps, c, params.id, body)),
      );
    },
  });
  router.route({
    method: 'POST',
    url: '/loads/:id/retry',
    summary: 'Write a failed load again from a fresh read; the cash stays where it is',
    tags,
    access: CARD_CLERKS,
    params: loadIdParams,
    body: retryBody,
    response: orderResult,
    status: 201,
    handler: async ({ params, body, principal, request }) => {
      const c = ctx(principal, request.id);
      return orderAnswer(
        await withTransaction(deps.db, (tx) => retryLoad(tx, deps, c, params.id, body)),
      );
    },
  });
}

function registerSettlement(router: IssuanceRouter, deps: IssuanceDeps, ctx: Ctx): void {
  router.route({
    method: 'POST',
    url: '/loads/:id/refund',
    summary: "Give back the cash of a load that is not on the card, from the clerk's drawer",
    tags,
    access: CARD_CLERKS,
    params: loadIdParams,
    response: loadResult,
    handler: async ({ params, principal, request }) => {
      const c = ctx(principal, request.id);
      return toLoadResult(await withTransaction(deps.db, (tx) => refundLoad(tx, c, params.id)));
    },
  });
  router.route({
    method: 'POST',
    url: '/loads/:id/review',
    summary: 'Settle a load the card could no longer tell about (supervisor, with a reason)',
    tags,
    access: CARD_SUPERVISORS,
    params: loadIdParams,
    body: reviewBody,
    response: loadResult,
    handler: async ({ params, body, principal, request }) => {
      const c = ctx(principal, request.id);
      return toLoadResult(
        await withTransaction(deps.db, (tx) => reviewLoad(tx, c, params.id, body)),
      );
    },
  });
}

function registerLoadReads(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'GET',
    url: '/loads/:id',
    summary: 'A load with its plans and state changes',
    tags,
    access: CARD_READERS,
    params: loadIdParams,
    response: loadDetail,
    handler: async ({ params }) => {
      const load = await requireLoad(deps.db, params.id);
      const [attempts, events] = await Promise.all([
        attemptsOfLoad(deps.db, load.id),
        listLoadEvents(deps.db, load.id),
      ]);
      return toLoadDetail(load, attempts, events);
    },
  });
  router.route({
    method: 'GET',
    url: '/cards/:id/loads',
    summary: "A card's loads, oldest first; ?status=uncertain lists those awaiting a read",
    tags,
    access: CARD_READERS,
    params: cardIdParams,
    query: loadListQuery,
    response: loadList,
    handler: async ({ params, query }) => {
      await requireCard(deps.db, params.id);
      const states = query.status === undefined ? null : [query.status];
      return { items: (await loadsOfCard(deps.db, params.id, states)).map(toLoadResult) };
    },
  });
}

function registerLimits(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'GET',
    url: '/load-limits',
    summary: 'The per-load and daily per-card load limits',
    tags,
    access: LIMIT_READERS,
    response: limitsResult,
    handler: async () => {
      const l = await getLoadLimits(deps.db);
      return { perLoadMax: l.perLoadMax.toString(), dailyMaxPerCard: l.dailyMaxPerCard.toString() };
    },
  });
  router.route({
    method: 'PUT',
    url: '/load-limits',
    summary: 'Change the load limits (administrators; audited)',
    tags,
    access: LIMIT_ADMINS,
    body: limitsBody,
    response: limitsResult,
    handler: async ({ body, principal, request }) => {
      const limits = {
        perLoadMax: parseAmount(body.perLoadMax),
        dailyMaxPerCard: parseAmount(body.dailyMaxPerCard),
      };
      await withTransaction(deps.db, async (tx) => {
        const before = await getLoadLimits(tx);
        await setLoadLimits(tx, limits, principal.id, deps.clock());
        await recordLimitsAudit(tx, principal, request.id, before, limits);
      });
      return body;
    },
  });
}
