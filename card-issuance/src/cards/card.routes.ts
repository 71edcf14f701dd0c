import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { withTransaction } from '@citycard/core/db';
import type { Role, StaffPrincipal } from '../auth/roles.js';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { releaseTransfer } from './balance-transfer.js';
import { runPlainCommand, type PlainCommand } from './card-command.js';
import { CARD_CLERKS, CARD_READERS, CARD_SUPERVISORS, type ActionContext } from './card-context.js';
import { issueCard } from './card-issue.js';
import { cancelCard, refundCard, type Payout } from './card-payout.js';
import { replaceCard } from './card-replace.js';
import { cardDetailById, cardDetailByNumber } from './card-view.js';
import { requireCard, listStateChanges } from './card.repository.js';
import {
  cardDetail,
  cardIdParams,
  cardNumberParams,
  cardResult,
  historyResult,
  issueBody,
  optionalReasonBody,
  payoutResult,
  reasonBody,
  releaseResult,
  replaceBody,
  replaceResult,
  toCardResult,
  toHistoryEntry,
  toTransferResult,
} from './card.schemas.js';

const tags = ['cards'];

interface PlainRoute {
  readonly path: string;
  readonly command: PlainCommand;
  readonly access: readonly Role[];
  readonly summary: string;
  /** Block needs a reason; for the others it is optional. */
  readonly reasonRequired?: boolean;
}

const plainRoutes: readonly PlainRoute[] = [
  { path: 'activate', command: 'activate', access: CARD_CLERKS, summary: 'Activate a card' },
  { path: 'freeze', command: 'freeze', access: CARD_CLERKS, summary: 'Freeze (hotlists)' },
  { path: 'unfreeze', command: 'unfreeze', access: CARD_CLERKS, summary: 'Unfreeze (unlists)' },
  {
    path: 'report-lost',
    command: 'report_lost',
    access: CARD_CLERKS,
    summary: 'Report a card lost (hotlists)',
  },
  {
    path: 'block',
    command: 'block',
    access: CARD_SUPERVISORS,
    summary: 'Block a card, with a reason (hotlists)',
    reasonRequired: true,
  },
];

function payoutAnswer(p: Payout) {
  return {
    card: toCardResult(p.card),
    paidOut: {
      deposit: p.deposit.toString(),
      balance: p.balance.toString(),
      total: p.total.toString(),
    },
  };
}

/** One request's context and its transaction, for the route handlers below. */
interface Runner {
  ctx(staff: StaffPrincipal, request: FastifyRequest): ActionContext;
  inTx<T>(fn: (tx: pg.PoolClient) => Promise<T>): Promise<T>;
}

export function registerCardRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  const run: Runner = {
    ctx: (staff, request) => ({ staff, requestId: request.id, now: deps.clock() }),
    inTx: (fn) => withTransaction(deps.db, fn),
  };
  registerIssue(router, deps, run);
  registerPlainCommands(router, run);
  registerReplacement(router, deps, run);
  registerPayouts(router, run);
  registerCardReads(router, deps);
}

function registerIssue(router: IssuanceRouter, deps: IssuanceDeps, run: Runner): void {
  router.route({
    method: 'POST',
    url: '/cards/issue',
    summary: "Issue a stock card to a cardholder; the deposit goes into the clerk's drawer",
    tags,
    access: CARD_CLERKS,
    body: issueBody,
    response: cardResult,
    status: 201,
    handler: async ({ body, principal, request }) => {
      const ctx = run.ctx(principal, request);
      const card = await run.inTx((tx) => issueCard(tx, ctx, deps.settings.cityCode, body));
      return toCardResult(card);
    },
  });
}

function registerPlainCommands(router: IssuanceRouter, run: Runner): void {
  for (const r of plainRoutes) {
    router.route({
      method: 'POST',
      url: `/cards/:id/${r.path}`,
      summary: r.summary,
      tags,
      access: r.access,
      params: cardIdParams,
      body: r.reasonRequired === true ? reasonBody : optionalReasonBody,
      response: cardResult,
      handler: async ({ params, body, principal, request }) => {
        const ctx = run.ctx(principal, request);
        const reason = body?.reason ?? null;
        const card = await run.inTx((tx) => runPlainCommand(tx, ctx, params.id, r.command, reason));
        return toCardResult(card);
      },
    });
  }
}

function registerReplacement(router: IssuanceRouter, deps: IssuanceDeps, run: Runner): void {
  router.route({
    method: 'POST',
    url: '/cards/:id/replace',
    summary:
      'Replace a card: a stock card goes to the same holder; the balance follows after a hold',
    tags,
    access: CARD_CLERKS,
    params: cardIdParams,
    body: replaceBody,
    response: replaceResult,
    status: 201,
    handler: async ({ params, body, principal, request }) => {
      const ctx = run.ctx(principal, request);
      const r = await run.inTx((tx) => replaceCard(tx, ctx, deps.settings, params.id, body));
      return {
        replaced: toCardResult(r.replaced),
        replacement: toCardResult(r.replacement),
        transfer: toTransferResult(r.transfer),
      };
    },
  });

  router.route({
    method: 'POST',
    url: '/cards/:id/release-transfer',
    summary: "Move a replaced card's shadow balance to its replacement once the hold has passed",
    tags,
    access: CARD_CLERKS,
    params: cardIdParams,
    response: releaseResult,
    handler: async ({ params, principal, request }) => {
      const ctx = run.ctx(principal, request);
      const r = await run.inTx((tx) => releaseTransfer(tx, ctx, params.id));
      return {
        transfer: toTransferResult(r.transfer),
        toCardId: r.toCardId,
        amount: r.amount.toString(),
      };
    },
  });
}

function registerPayouts(router: IssuanceRouter, run: Runner): void {
  router.route({
    method: 'POST',
    url: '/cards/:id/refund',
    summary: "Refund a card: deposit and shadow balance paid in cash from the clerk's drawer",
    tags,
    access: CARD_CLERKS,
    params: cardIdParams,
    response: payoutResult,
    handler: async ({ params, principal, request }) => {
      const ctx = run.ctx(principal, request);
      return payoutAnswer(await run.inTx((tx) => refundCard(tx, ctx, params.id)));
    },
  });

  router.route({
    method: 'POST',
    url: '/cards/:id/cancel',
    summary: 'Cancel a blank or not yet activated card; a deposit taken is paid back',
    tags,
    access: CARD_SUPERVISORS,
    params: cardIdParams,
    body: optionalReasonBody,
    response: payoutResult,
    handler: async ({ params, body, principal, request }) => {
      const ctx = run.ctx(principal, request);
      const reason = body?.reason ?? null;
      return payoutAnswer(await run.inTx((tx) => cancelCard(tx, ctx, params.id, reason)));
    },
  });
}

function registerCardReads(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'GET',
    url: '/cards/:id',
    summary: 'A card: state, product, masked cardholder, shadow balance, transfers and history',
    tags,
    access: CARD_READERS,
    params: cardIdParams,
    response: cardDetail,
    handler: ({ params }) => cardDetailById(deps.db, params.id),
  });

  router.route({
    method: 'GET',
    url: '/cards/by-number/:cardNumber',
    summary: 'A card found by its number (checked: length, digits, check digit)',
    tags,
    access: CARD_READERS,
    params: cardNumberParams,
    response: cardDetail,
    handler: ({ params }) => cardDetailByNumber(deps.db, params.cardNumber),
  });

  router.route({
    method: 'GET',
    url: '/cards/:id/history',
    summary: "A card's state changes, oldest first",
    tags,
    access: CARD_READERS,
    params: cardIdParams,
    response: historyResult,
    handler: async ({ params }) => {
      await requireCard(deps.db, params.id);
      return { items: (await listStateChanges(deps.db, params.id)).map(toHistoryEntry) };
    },
  });
}
