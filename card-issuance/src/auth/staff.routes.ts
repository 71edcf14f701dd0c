import type { FastifyRequest } from 'fastify';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import {
  createStaffBody,
  resetPasswordBody,
  staffDetail,
  staffIdParams,
  staffList,
  staffListQuery,
  toDetail,
  updateStaffBody,
} from './auth.schemas.js';
import type { Role, StaffPrincipal } from './roles.js';
import {
  adminCreateStaff,
  adminResetPassword,
  adminUpdateStaff,
  setStaffEnabled,
} from './staff-admin.js';
import { getStaffRow, listStaffRows } from './staff.repository.js';

/** Only administrators see or change accounts. */
export const STAFF_ADMINS: readonly Role[] = ['admin'];

const tags = ['staff'];

export function registerStaffRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  const change = (actor: StaffPrincipal, request: FastifyRequest) => ({
    deps,
    actor,
    requestId: request.id,
  });

  router.route({
    method: 'POST',
    url: '/staff',
    summary: 'Create a staff account',
    tags,
    access: STAFF_ADMINS,
    body: createStaffBody,
    response: staffDetail,
    status: 201,
    handler: async ({ body, principal, request }) =>
      toDetail(await adminCreateStaff(change(principal, request), body)),
  });

  router.route({
    method: 'GET',
    url: '/staff',
    summary: 'List staff accounts (by role, branch, username prefix)',
    tags,
    access: STAFF_ADMINS,
    query: staffListQuery,
    response: staffList,
    handler: async ({ query }) => ({
      staff: (await listStaffRows(deps.db, query)).map(toDetail),
    }),
  });

  router.route({
    method: 'GET',
    url: '/staff/:id',
    summary: 'One staff account',
    tags,
    access: STAFF_ADMINS,
    params: staffIdParams,
    response: staffDetail,
    handler: async ({ params }) => toDetail(await getStaffRow(deps.db, params.id)),
  });

  router.route({
    method: 'PATCH',
    url: '/staff/:id',
    summary: 'Change display name, roles or branch',
    tags,
    access: STAFF_ADMINS,
    params: staffIdParams,
    body: updateStaffBody,
    response: staffDetail,
    handler: async ({ params, body, principal, request }) =>
      toDetail(await adminUpdateStaff(change(principal, request), params.id, body)),
  });

  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    router.route({
      method: 'POST',
      url: `/staff/:id/${verb}`,
      summary: enabled
        ? 'Enable an account again (lifts any lockout)'
        : 'Disable an account and end its sessions',
      tags,
      access: STAFF_ADMINS,
      params: staffIdParams,
      response: staffDetail,
      handler: async ({ params, principal, request }) =>
        toDetail(await setStaffEnabled(change(principal, request), params.id, enabled)),
    });
  }

  router.route({
    method: 'POST',
    url: '/staff/:id/password',
    summary: "Reset an account's password; ends its sessions and lifts any lockout",
    tags,
    access: STAFF_ADMINS,
    params: staffIdParams,
    body: resetPasswordBody,
    response: staffDetail,
    handler: async ({ params, body, principal, request }) =>
      toDetail(await adminResetPassword(change(principal, request), params.id, body.newPassword)),
  });
}
