import { withTransaction } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { DRAWER_KEEPERS, DRAWER_READERS, DRAWER_SUPERVISORS } from './access.js';
import { actorOf } from './branch.routes.js';
import { drawerAmount } from './cash.js';
import { findOpenDrawer } from './drawer.repository.js';
import {
  closeDrawerBody,
  closeBody,
  correctionBody,
  drawerDetail,
  drawerList,
  drawerQuery,
  drawerView,
  floatBody,
  idParams,
  movementCreated,
  openBody,
} from './drawer.schemas.js';
import {
  adjustFloat,
  closeDrawerById,
  closeOwnDrawer,
  correctDrawer,
  openDrawer,
} from './drawer.service.js';
import { drawerDetailOf, drawerViewOf, listDrawerViews } from './drawer.views.js';

const tags = ['drawers'];

export function registerDrawerRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  registerOwnDrawerRoutes(router, deps);
  registerSupervisionRoutes(router, deps);
}

/** The drawer of whoever is signed in: open, watch, top up or drop the float, close. */
function registerOwnDrawerRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'POST',
    url: '/drawers/open',
    summary: 'Open a cash drawer at a counter with a float',
    tags,
    access: DRAWER_KEEPERS,
    body: openBody,
    response: drawerDetail,
    status: 201,
    handler: async ({ body, principal, request }) => {
      const openingFloat = drawerAmount(body.openingFloat, 'openingFloat');
      const actor = actorOf(principal, request);
      return withTransaction(deps.db, async (tx) => {
        const drawer = await openDrawer(tx, actor, { counterId: body.counterId, openingFloat });
        return drawerDetailOf(tx, drawer.id);
      });
    },
  });

  router.route({
    method: 'GET',
    url: '/drawers/current',
    summary: 'Your open drawer: its movements and the cash it should hold now',
    tags,
    access: DRAWER_KEEPERS,
    response: drawerDetail,
    handler: async ({ principal }) => {
      const open = await findOpenDrawer(deps.db, { staffId: principal.id });
      if (open === undefined) throw new AppError('DRAWER_NOT_OPEN');
      return drawerDetailOf(deps.db, open.id);
    },
  });

  router.route({
    method: 'POST',
    url: '/drawers/current/float',
    summary: 'Cash from the safe into your drawer (+) or dropped to the safe (−)',
    tags,
    access: DRAWER_KEEPERS,
    body: floatBody,
    response: movementCreated,
    status: 201,
    handler: async ({ body, principal, request }) => {
      const amount = drawerAmount(body.amount, 'amount', true);
      const actor = actorOf(principal, request);
      const made = await withTransaction(deps.db, (tx) =>
        adjustFloat(tx, actor, { amount, note: body.note }),
      );
      return { ...made, afterClose: false };
    },
  });

  router.route({
    method: 'POST',
    url: '/drawers/current/close',
    summary: 'Close your drawer with the cash counted in it: long, short or balanced',
    tags,
    access: DRAWER_KEEPERS,
    body: closeBody,
    response: drawerView,
    handler: async ({ body, principal, request }) => {
      const countedCash = drawerAmount(body.countedCash, 'countedCash');
      const actor = actorOf(principal, request);
      return withTransaction(deps.db, async (tx) => {
        const { drawer } = await closeOwnDrawer(tx, actor, { countedCash, note: body.note });
        return drawerViewOf(tx, drawer.id);
      });
    },
  });
}

function registerSupervisionRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'GET',
    url: '/drawers',
    summary: 'Drawers opened in [from, to), newest first, with long/short',
    tags,
    access: DRAWER_READERS,
    query: drawerQuery,
    response: drawerList,
    handler: async ({ query, principal }) => ({
      items: await listDrawerViews(deps.db, principal, query),
    }),
  });

  router.route({
    method: 'GET',
    url: '/drawers/:id',
    summary: 'A drawer with every movement and its long/short',
    tags,
    access: DRAWER_READERS,
    params: idParams,
    response: drawerDetail,
    handler: ({ params, principal }) => drawerDetailOf(deps.db, params.id, principal),
  });

  router.route({
    method: 'POST',
    url: '/drawers/:id/corrections',
    summary: 'Correct a drawer with a new signed movement and a reason (never an edit)',
    tags,
    access: DRAWER_SUPERVISORS,
    params: idParams,
    body: correctionBody,
    response: movementCreated,
    status: 201,
    handler: async ({ params, body, principal, request }) => {
      const amount = drawerAmount(body.amount, 'amount', true);
      const actor = actorOf(principal, request);
      const made = await withTransaction(deps.db, (tx) =>
        correctDrawer(tx, actor, params.id, { ...body, amount }),
      );
      return { ...made, drawerId: params.id };
    },
  });

  router.route({
    method: 'POST',
    url: '/drawers/:id/close',
    summary: 'Count and close a drawer its clerk left open',
    tags,
    access: DRAWER_SUPERVISORS,
    params: idParams,
    body: closeDrawerBody,
    response: drawerView,
    handler: async ({ params, body, principal, request }) => {
      const countedCash = drawerAmount(body.countedCash, 'countedCash');
      const actor = actorOf(principal, request);
      return withTransaction(deps.db, async (tx) => {
        await closeDrawerById(tx, actor, params.id, { countedCash, note: body.note });
        return drawerViewOf(tx, params.id);
      });
    },
  });
}
