import { cardPlanSchema, planReportSchema } from '@citycard/core/card';
import type { Router } from '@citycard/core/http';
import { withTransaction } from '@citycard/core/db';
import type { IssuanceDeps } from '../deps.js';
import { AGENT_ONLY, type AgentPrincipal, type AgentRole } from './agent-auth.js';
import { planIdParams, planUidQuery, readBody, reportAnswer } from './agent.schemas.js';
import { fetchPlan, reportPlan } from './plan-service.js';
import { createReadPlan } from './read-plan.js';

export type AgentRouter = Router<AgentRole, AgentPrincipal>;

const tags = ['agent'];

/** The reader agent API: plans out (carrying one card's keys), reports in. Plans are never logged. */
export function registerAgentApiRoutes(router: AgentRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'GET',
    url: '/v1/agent/plans/:planId',
    summary: 'Fetch a pending plan made for this agent, for the card in its reader',
    tags,
    access: AGENT_ONLY,
    params: planIdParams,
    query: planUidQuery,
    response: cardPlanSchema,
    handler: ({ params, query, principal }) => fetchPlan(deps, principal, params.planId, query.uid),
  });

  router.route({
    method: 'POST',
    url: '/v1/agent/plans/:planId/report',
    summary: 'Report how a plan ran; the same report again gets the same answer',
    tags,
    access: AGENT_ONLY,
    params: planIdParams,
    body: planReportSchema,
    response: reportAnswer,
    handler: ({ params, body, principal, request }) =>
      reportPlan(deps, principal, params.planId, body, request.id),
  });

  router.route({
    method: 'POST',
    url: '/v1/agent/reads',
    summary: 'A read plan for the card in the reader (issuer, purse, transit, history sectors)',
    tags,
    access: AGENT_ONLY,
    body: readBody,
    response: cardPlanSchema,
    status: 201,
    handler: async ({ body, principal, request }) => {
      const plan = await withTransaction(deps.db, (tx) =>
        createReadPlan(tx, deps, principal, body.uid, request.id),
      );
      return fetchPlan(deps, principal, plan.id, plan.uid);
    },
  });
}
