import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type pg from 'pg';
import { withTransaction } from '@citycard/core/db';
import type { Router } from '@citycard/core/http';
import type { StaffPrincipal, StaffRole } from '../staff/index.js';
import {
  operatorBody,
  operatorOut,
  operatorParams,
  operatorSchema,
  terminalBody,
  terminalOut,
  terminalParams,
  terminalQuery,
  terminalSchema,
  tokenBody,
  tokenSchema,
} from './admin.schemas.js';
import {
  audit,
  changeTerminalStatus,
  createEnrolmentToken,
  insertOperator,
  insertTerminal,
  listOperators,
  listTerminals,
  setOperatorEnabled,
  type TerminalCommand,
} from './registry.repository.js';

export type StaffRouter = Router<StaffRole, StaffPrincipal>;

export interface AdminContext {
  readonly db: pg.Pool;
  readonly clock: () => Date;
}

const actorOf = (p: StaffPrincipal) => ({ id: p.id, username: p.username });
const requestIdOf = (r: FastifyRequest): string => String(r.id);

function registerOperatorRoutes(router: StaffRouter, ctx: AdminContext): void {
  router.route({
    method: 'GET',
    url: '/admin/operators',
    summary: 'Operators',
    tags: ['admin'],
    access: ['admin', 'finance', 'auditor'],
    response: z.object({ operators: z.array(operatorSchema) }),
    handler: async () => ({ operators: (await listOperators(ctx.db)).map(operatorOut) }),
  });
  router.route({
    method: 'POST',
    url: '/admin/operators',
    summary: 'Register an operator',
    tags: ['admin'],
    access: ['admin'],
    body: operatorBody,
    response: operatorSchema,
    status: 201,
    handler: ({ body, principal, request }) =>
      withTransaction(ctx.db, async (tx) => {
        const at = ctx.clock();
        const row = await insertOperator(tx, { ...body, at });
        await audit(tx, {
          at,
          actor: actorOf(principal),
          action: 'operator.create',
          subject: `operator:${row.id}`,
          details: { kind: row.kind, cardCode: row.card_code },
          requestId: requestIdOf(request),
        });
        return operatorOut(row);
      }),
  });
  for (const enabled of [true, false]) {
    const verb = enabled ? 'enable' : 'disable';
    router.route({
      method: 'POST',
      url: `/admin/operators/:operatorId/${verb}`,
      summary: enabled ? 'Enable an operator' : 'Disable an operator (all its terminals stop)',
      tags: ['admin'],
      access: ['admin'],
      params: operatorParams,
      response: operatorSchema,
      handler: ({ params, principal, request }) =>
        withTransaction(ctx.db, async (tx) => {
          const at = ctx.clock();
          const row = await setOperatorEnabled(tx, params.operatorId, enabled);
          await audit(tx, {
            at,
            actor: actorOf(principal),
            action: `operator.${verb}`,
            subject: `operator:${row.id}`,
            requestId: requestIdOf(request),
          });
          return operatorOut(row);
        }),
    });
  }
}

function registerTerminalCommand(
  router: StaffRouter,
  ctx: AdminContext,
  command: TerminalCommand,
): void {
  router.route({
    method: 'POST',
    url: `/admin/terminals/:terminalId/${command}`,
    summary: `${command[0]?.toUpperCase() ?? ''}${command.slice(1)} a terminal`,
    tags: ['admin'],
    access: ['admin'],
    params: terminalParams,
    response: terminalSchema,
    handler: ({ params, principal, request }) =>
      withTransaction(ctx.db, async (tx) => {
        const at = ctx.clock();
        const row = await changeTerminalStatus(tx, params.terminalId, command, at);
        await audit(tx, {
          at,
          actor: actorOf(principal),
          action: `terminal.${command}`,
          subject: `terminal:${row.id}`,
          details: { status: row.status },
          requestId: requestIdOf(request),
        });
        return terminalOut(row);
      }),
  });
}

function registerTerminalAdminRoutes(router: StaffRouter, ctx: AdminContext): void {
  router.route({
    method: 'GET',
    url: '/admin/terminals',
    summary: 'Terminals, by operator and status',
    tags: ['admin'],
    access: ['admin', 'finance', 'auditor'],
    query: terminalQuery,
    response: z.object({ terminals: z.array(terminalSchema) }),
    handler: async ({ query }) => ({
      terminals: (await listTerminals(ctx.db, query)).map(terminalOut),
    }),
  });
  router.route({
    method: 'POST',
    url: '/admin/terminals',
    summary: 'Register a terminal for an operator (it enrols later with a token)',
    tags: ['admin'],
    access: ['admin'],
    body: terminalBody,
    response: terminalSchema,
    status: 201,
    handler: ({ body, principal, request }) =>
      withTransaction(ctx.db, async (tx) => {
        const at = ctx.clock();
        const row = await insertTerminal(tx, { ...body, at });
        await audit(tx, {
          at,
          actor: actorOf(principal),
          action: 'terminal.register',
          subject: `terminal:${row.id}`,
          details: { operatorId: row.operator_id },
          requestId: requestIdOf(request),
        });
        return terminalOut(row);
      }),
  });
  for (const command of ['disable', 'enable', 'retire'] as const) {
    registerTerminalCommand(router, ctx, command);
  }
  router.route({
    method: 'POST',
    url: '/admin/terminals/:terminalId/enrolment-tokens',
    summary: 'Make a single-use enrolment token (shown once; only its hash is kept)',
    tags: ['admin'],
    access: ['admin'],
    params: terminalParams,
    body: tokenBody,
    response: tokenSchema,
    status: 201,
    handler: ({ params, body, principal, request }) =>
      withTransaction(ctx.db, async (tx) => {
        const at = ctx.clock();
        const made = await createEnrolmentToken(tx, {
          terminalId: params.terminalId,
          createdBy: principal.username,
          at,
          ttlHours: body.ttlHours,
        });
        await audit(tx, {
          at,
          actor: actorOf(principal),
          action: 'terminal.enrolment_token',
          subject: `terminal:${params.terminalId}`,
          details: { expiresAt: made.expiresAt.toISOString() },
          requestId: requestIdOf(request),
        });
        return {
          token: made.token,
          terminalId: params.terminalId,
          operatorId: made.operatorId,
          expiresAt: made.expiresAt.toISOString(),
        };
      }),
  });
}

export function registerRegistryRoutes(router: StaffRouter, ctx: AdminContext): void {
  registerOperatorRoutes(router, ctx);
  registerTerminalAdminRoutes(router, ctx);
}
