import { z } from 'zod';
import type { Router } from '@citycard/core/http';
import type { ClearingDeps } from '../deps.js';
import { getParty, listParties, partyBody, putParty } from '../parties/index.js';
import type { StaffPrincipal, StaffRole } from '../staff/index.js';
import { actorOf } from './actor.js';
import { toWire } from './wire.js';

const readers: StaffRole[] = ['finance', 'auditor', 'admin'];
const partyParams = z.strictObject({
  partyId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
});

const partySchema = z.object({
  id: z.string(),
  kind: z.enum(['issuer', 'operator']),
  version: z.number(),
  name: z.string(),
  bankName: z.string().nullable(),
  bankAccountName: z.string().nullable(),
  bankAccountNumber: z.string().nullable(),
  contactName: z.string().nullable(),
  contactEmail: z.string().nullable(),
  contactPhone: z.string().nullable(),
  changedBy: z.string(),
  changedAt: z.string(),
});

export function registerPartyRoutes(
  router: Router<StaffRole, StaffPrincipal>,
  deps: ClearingDeps,
): void {
  router.route({
    method: 'GET',
    url: '/v1/parties',
    summary:
      'The parties clearing settles with (operators, the issuer), each at its latest version',
    tags: ['parties'],
    access: readers,
    // An empty kind= (a cleared filter) asks for every kind.
    query: z.strictObject({ kind: z.enum(['', 'issuer', 'operator']).optional() }),
    response: z.object({ parties: z.array(partySchema) }),
    handler: async ({ query }) => ({
      parties: toWire(await listParties(deps.db, query.kind || undefined)) as never,
    }),
  });

  router.route({
    method: 'GET',
    url: '/v1/parties/:partyId',
    summary: "A party's settlement data in force",
    tags: ['parties'],
    access: readers,
    params: partyParams,
    response: partySchema,
    handler: async ({ params }) => toWire(await getParty(deps.db, params.partyId)) as never,
  });

  router.route({
    method: 'PUT',
    url: '/v1/parties/:partyId',
    summary: "Record a party's settlement data as its next version (the first creates it)",
    tags: ['parties'],
    access: ['admin'],
    params: partyParams,
    body: partyBody,
    response: partySchema,
    handler: async ({ params, body, principal }) => {
      const party = await putParty(deps.db, params.partyId, body, {
        actor: actorOf(principal),
        now: deps.clock(),
      });
      return toWire(party) as never;
    },
  });
}
