import { withTransaction } from '@citycard/core/db';
import type { FastifyRequest } from 'fastify';
import type { StaffPrincipal } from '../auth/roles.js';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { BRANCH_ADMINS, BRANCH_READERS, COUNTER_READERS } from './access.js';
import { requireBranch, selectBranches, selectCounters } from './branch.repository.js';
import {
  closeBranch,
  createBranch,
  createCounter,
  updateCounter,
  type DrawerActor,
} from './branch.service.js';
import {
  branchBody,
  branchList,
  branchQuery,
  branchView,
  counterBody,
  counterList,
  counterPatch,
  counterView,
  idParams,
} from './drawer.schemas.js';
import { toBranchView, toCounterView } from './drawer.views.js';

const tags = ['branches'];

export const actorOf = (principal: StaffPrincipal, request: FastifyRequest): DrawerActor => ({
  staff: principal,
  requestId: request.id,
});

export function registerBranchRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'POST',
    url: '/branches',
    summary: 'Open a branch',
    tags,
    access: BRANCH_ADMINS,
    body: branchBody,
    response: branchView,
    status: 201,
    handler: async ({ body, principal, request }) => {
      const actor = actorOf(principal, request);
      return toBranchView(await withTransaction(deps.db, (tx) => createBranch(tx, actor, body)));
    },
  });

  router.route({
    method: 'GET',
    url: '/branches',
    summary: 'Branches, by code; closed ones only when asked for',
    tags,
    access: BRANCH_READERS,
    query: branchQuery,
    response: branchList,
    handler: async ({ query }) => ({
      items: (await selectBranches(deps.db, query.includeClosed === 'true')).map(toBranchView),
    }),
  });

  router.route({
    method: 'POST',
    url: '/branches/:id/close',
    summary: 'Close a branch for good; refused while a drawer is open there',
    tags,
    access: BRANCH_ADMINS,
    params: idParams,
    response: branchView,
    handler: async ({ params, principal, request }) => {
      const actor = actorOf(principal, request);
      return toBranchView(
        await withTransaction(deps.db, (tx) => closeBranch(tx, actor, params.id)),
      );
    },
  });

  registerCounterRoutes(router, deps);
}

function registerCounterRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'POST',
    url: '/branches/:id/counters',
    summary: 'Add a counter to a branch',
    tags,
    access: BRANCH_ADMINS,
    params: idParams,
    body: counterBody,
    response: counterView,
    status: 201,
    handler: async ({ params, body, principal, request }) => {
      const actor = actorOf(principal, request);
      const row = await withTransaction(deps.db, (tx) => createCounter(tx, actor, params.id, body));
      return toCounterView(row);
    },
  });

  router.route({
    method: 'GET',
    url: '/branches/:id/counters',
    summary: "A branch's counters, in service or not",
    tags,
    access: COUNTER_READERS,
    params: idParams,
    response: counterList,
    handler: async ({ params }) => {
      await requireBranch(deps.db, params.id);
      return { items: (await selectCounters(deps.db, params.id)).map(toCounterView) };
    },
  });

  router.route({
    method: 'PATCH',
    url: '/counters/:id',
    summary: 'Put a counter in or out of service, or rename it',
    tags,
    access: BRANCH_ADMINS,
    params: idParams,
    body: counterPatch,
    response: counterView,
    handler: async ({ params, body, principal, request }) => {
      const actor = actorOf(principal, request);
      const row = await withTransaction(deps.db, (tx) => updateCounter(tx, actor, params.id, body));
      return toCounterView(row);
    },
  });
}
