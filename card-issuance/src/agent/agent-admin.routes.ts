import { withTransaction } from '@citycard/core/db';
import { recordAudit } from '../audit/audit.js';
import type { Role } from '../auth/roles.js';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { agentIdParams, agentList, agentResult, registerAgentBody } from './agent.schemas.js';
import {
  findAgent,
  insertAgent,
  listAgents,
  setAgentEnabled,
  type ReaderAgentRow,
} from './reader-agent.repository.js';

const tags = ['reader agents'];
const AGENT_ADMINS: readonly Role[] = ['admin'];
const AGENT_VIEWERS: readonly Role[] = ['admin', 'supervisor', 'auditor'];

function toResult(row: ReaderAgentRow) {
  return {
    id: row.id,
    counterId: row.counterId,
    branchId: row.branchId,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Staff routes that register reader agents (by their certificate subject id) at counters. */
export function registerAgentAdminRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'POST',
    url: '/reader-agents',
    summary: "Register a reader agent (its certificate's subject id) at a counter",
    tags,
    access: AGENT_ADMINS,
    body: registerAgentBody,
    response: agentResult,
    status: 201,
    handler: async ({ body, principal, request }) => {
      const row = await withTransaction(deps.db, async (tx) => {
        await insertAgent(tx, { ...body, createdBy: principal.id, at: deps.clock() });
        await recordAudit(tx, {
          actor: principal,
          action: 'reader_agent.register',
          targetType: 'reader_agent',
          targetId: body.id,
          requestId: request.id,
          after: body,
        });
        return findAgent(tx, body.id);
      });
      return toResult(row as ReaderAgentRow);
    },
  });

  router.route({
    method: 'GET',
    url: '/reader-agents',
    summary: 'Registered reader agents',
    tags,
    access: AGENT_VIEWERS,
    response: agentList,
    handler: async () => ({ items: (await listAgents(deps.db)).map(toResult) }),
  });

  for (const enabled of [false, true]) {
    router.route({
      method: 'POST',
      url: `/reader-agents/:id/${enabled ? 'enable' : 'disable'}`,
      summary: enabled ? 'Enable a reader agent' : 'Disable a reader agent: it gets no more plans',
      tags,
      access: AGENT_ADMINS,
      params: agentIdParams,
      response: agentResult,
      handler: async ({ params, principal, request }) => {
        const row = await withTransaction(deps.db, async (tx) => {
          const changed = await setAgentEnabled(tx, params.id, enabled, deps.clock());
          await recordAudit(tx, {
            actor: principal,
            action: enabled ? 'reader_agent.enable' : 'reader_agent.disable',
            targetType: 'reader_agent',
            targetId: params.id,
            requestId: request.id,
            after: { enabled },
          });
          return changed;
        });
        return toResult(row);
      },
    });
  }
}
