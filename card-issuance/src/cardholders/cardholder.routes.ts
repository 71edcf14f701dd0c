import type { FastifyRequest } from 'fastify';
import { withTransaction } from '@citycard/core/db';
import type { Role, StaffPrincipal } from '../auth/roles.js';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { cardholderHistory, requireCardholder, searchCardholders } from './cardholder.queries.js';
import {
  cardholderDetail,
  cardholderId,
  historyResult,
  registerBody,
  searchBody,
  searchQuery,
  searchResult,
  toDetail,
  updateBody,
} from './cardholder.schemas.js';
import {
  registerCardholder,
  updateCardholder,
  type CardholderContext,
} from './cardholder.service.js';

/**
 * Counter staff register and correct cardholders. Auditors read them, their history and the
 * searches, but change nothing. Administrators manage staff, not people: no cardholder data.
 */
export const CARDHOLDER_WRITERS: readonly Role[] = ['clerk', 'supervisor'];
export const CARDHOLDER_READERS: readonly Role[] = ['clerk', 'supervisor', 'auditor'];

const tags = ['cardholders'];

export function registerCardholderRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  const context = (principal: StaffPrincipal, request: FastifyRequest): CardholderContext => ({
    keys: deps,
    actor: principal,
    requestId: request.id,
    now: deps.clock(),
  });

  router.route({
    method: 'POST',
    url: '/cardholders',
    summary: 'Register a cardholder',
    tags,
    access: CARDHOLDER_WRITERS,
    body: registerBody,
    response: cardholderDetail,
    status: 201,
    handler: async ({ body, principal, request }) => {
      const ctx = context(principal, request);
      const row = await withTransaction(deps.db, (tx) => registerCardholder(tx, ctx, body));
      return toDetail(row);
    },
  });

  router.route({
    method: 'GET',
    url: '/cardholders/:id',
    summary: 'A cardholder, with the identity number masked',
    tags,
    access: CARDHOLDER_READERS,
    params: cardholderId,
    response: cardholderDetail,
    handler: async ({ params }) => toDetail(await requireCardholder(deps.db, params.id)),
  });

  router.route({
    method: 'PATCH',
    url: '/cardholders/:id',
    summary: 'Change name, phone or identity details (with a reason) against a known version',
    tags,
    access: CARDHOLDER_WRITERS,
    params: cardholderId,
    body: updateBody,
    response: cardholderDetail,
    handler: async ({ params, body, principal, request }) => {
      const ctx = context(principal, request);
      const row = await withTransaction(deps.db, (tx) =>
        updateCardholder(tx, ctx, params.id, body),
      );
      return toDetail(row);
    },
  });

  router.route({
    method: 'GET',
    url: '/cardholders/:id/history',
    summary: 'Every version of a cardholder: who changed what, when and why',
    tags,
    access: CARDHOLDER_READERS,
    params: cardholderId,
    response: historyResult,
    handler: async ({ params }) => ({
      items: await cardholderHistory(deps.db, deps, params.id),
    }),
  });

  router.route({
    method: 'GET',
    url: '/cardholders',
    summary: 'Find cardholders by name prefix or card number (identity numbers: POST search)',
    tags,
    access: CARDHOLDER_READERS,
    query: searchQuery,
    response: searchResult,
    handler: ({ query }) => searchCardholders(deps.db, deps, deps.clock(), query),
  });

  router.route({
    method: 'POST',
    url: '/cardholders/search',
    summary: 'Find cardholders by identity number, name prefix or card number',
    tags,
    access: CARDHOLDER_READERS,
    body: searchBody,
    response: searchResult,
    handler: ({ body }) => searchCardholders(deps.db, deps, deps.clock(), body),
  });
}
