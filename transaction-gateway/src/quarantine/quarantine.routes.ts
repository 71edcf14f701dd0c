import type { Router } from '@citycard/core/http';
import type { GatewayDeps } from '../deps.js';
import type { StaffPrincipal, StaffRole } from '../staff/index.js';
import { listQuarantined, toDecision } from './quarantine.repository.js';
import {
  decisionParamsSchema,
  decisionSchema,
  proposeSchema,
  quarantineListSchema,
  quarantineQuerySchema,
  recordParamsSchema,
} from './quarantine.schemas.js';
import { approve, proposeDecision } from './quarantine.service.js';

/** Finance review of quarantined records: list, propose release or reject, approve (another user). */
export function registerQuarantineRoutes(
  router: Router<StaffRole, StaffPrincipal>,
  deps: GatewayDeps,
): void {
  router.route({
    method: 'GET',
    url: '/v1/quarantine',
    summary: 'Quarantined records awaiting a decision, oldest first',
    tags: ['quarantine'],
    access: ['finance', 'auditor', 'admin'],
    query: quarantineQuerySchema,
    response: quarantineListSchema,
    handler: async ({ query }) => {
      const rows = await listQuarantined(deps.db, query);
      return {
        records: rows.map((r) => ({
          terminalId: r.terminal_id,
          sequence: Number(r.sequence),
          type: r.type,
          cardNumber: r.card_number,
          amount: r.amount,
          occurredAt: r.occurred_at_text,
          receivedAt: r.received_at.toISOString(),
          businessDay: r.business_day,
          operatorId: r.operator_id,
          reason: r.reason,
          openDecision: r.decision === null ? null : toDecision(r.decision),
        })),
      };
    },
  });
  router.route({
    method: 'POST',
    url: '/v1/quarantine/:terminalId/:sequence/decisions',
    summary: 'Propose to release or reject a quarantined record (a second user approves)',
    tags: ['quarantine'],
    access: ['finance'],
    params: recordParamsSchema,
    body: proposeSchema,
    response: decisionSchema,
    status: 201,
    handler: ({ params, body, principal, request }) =>
      proposeDecision(deps, principal, { ...params, ...body }, request.id),
  });
  router.route({
    method: 'POST',
    url: '/v1/quarantine/decisions/:id/approve',
    summary: 'Approve a proposed decision; the proposer cannot approve their own',
    tags: ['quarantine'],
    access: ['finance'],
    params: decisionParamsSchema,
    response: decisionSchema,
    handler: ({ params, principal, request }) => approve(deps, principal, params.id, request.id),
  });
}
