import { z } from 'zod';
import type { Queryable } from '@citycard/core/db';
import { isoDateTime, operatorSettingsSchema } from '@citycard/terminal-sdk/protocol';
import {
  listFareSets,
  publishFareSet,
  type PublishedFareSet,
} from '../distribution/fare-sets.repository.js';
import {
  listOperatorConfigs,
  publishOperatorConfig,
} from '../distribution/operator-configs.repository.js';
import { listAnomalies } from '../postprocess/anomalies.repository.js';
import { operatorParams } from './admin.schemas.js';
import type { AdminContext, StaffRouter } from './registry.routes.js';
import { audit } from './registry.repository.js';
import { withTransaction } from '@citycard/core/db';

const fareSetSchema = z.object({
  version: z.string(),
  effectiveFrom: z.string(),
  bodySha256: z.string(),
  publishedBy: z.string(),
  publishedAt: z.string(),
});

const fareSetOut = (f: PublishedFareSet): z.infer<typeof fareSetSchema> => ({
  version: f.version,
  effectiveFrom: f.effectiveFrom.toISOString(),
  bodySha256: f.bodySha256,
  publishedBy: f.publishedBy,
  publishedAt: f.publishedAt.toISOString(),
});

const configBody = z.strictObject({
  version: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  effectiveFrom: isoDateTime,
  settings: operatorSettingsSchema,
});

const configSchema = z.object({
  operatorId: z.string(),
  version: z.string(),
  effectiveFrom: z.string(),
  settings: operatorSettingsSchema,
  publishedBy: z.string(),
  publishedAt: z.string(),
});

const anomalyQuery = z.strictObject({
  cardNumber: z
    .string()
    .regex(/^\d{16}$/)
    .optional(),
  open: z.enum(['true', 'false']).optional(),
});

const anomalySchema = z.object({
  id: z.string(),
  cardNumber: z.string(),
  kind: z.string(),
  terminalId: z.string().nullable(),
  sequence: z.string().nullable(),
  purseCounter: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  detectedAt: z.string(),
  resolvedAt: z.string().nullable(),
});

function registerFareSetRoutes(router: StaffRouter, ctx: AdminContext): void {
  router.route({
    method: 'GET',
    url: '/admin/fare-sets',
    summary: 'Published fare sets, newest first',
    tags: ['admin'],
    access: ['admin', 'finance', 'auditor'],
    response: z.object({ fareSets: z.array(fareSetSchema) }),
    handler: async () => ({ fareSets: (await listFareSets(ctx.db)).map(fareSetOut) }),
  });
  router.route({
    method: 'POST',
    url: '/admin/fare-sets',
    summary: 'Publish a fare set (the fare engine validates it; a version never changes)',
    tags: ['admin'],
    access: ['admin'],
    // The fare module's parseFareSet is the schema: it reports every reason at once.
    body: z.record(z.string(), z.unknown()),
    response: fareSetSchema,
    status: 201,
    handler: ({ body, principal, request }) =>
      withTransaction(ctx.db, async (tx) => {
        const at = ctx.clock();
        const by = { id: principal.id, username: principal.username };
        const { fareSet, created } = await publishFareSet(tx, body, by, at);
        if (created) {
          await audit(tx, {
            at,
            actor: by,
            action: 'fare_set.publish',
            subject: `fare_set:${fareSet.version}`,
            details: { effectiveFrom: fareSet.effectiveFrom.toISOString() },
            requestId: String(request.id),
          });
        }
        return fareSetOut(fareSet);
      }),
  });
}

function registerConfigRoutes(router: StaffRouter, ctx: AdminContext): void {
  router.route({
    method: 'GET',
    url: '/admin/operators/:operatorId/configs',
    summary: "An operator's published configurations, newest first",
    tags: ['admin'],
    access: ['admin', 'finance', 'auditor'],
    params: operatorParams,
    response: z.object({ configs: z.array(configSchema) }),
    handler: async ({ params }) => ({
      configs: await listOperatorConfigs(ctx.db, params.operatorId),
    }),
  });
  router.route({
    method: 'POST',
    url: '/admin/operators/:operatorId/configs',
    summary: 'Publish a terminal configuration for an operator',
    tags: ['admin'],
    access: ['admin'],
    params: operatorParams,
    body: configBody,
    response: configSchema,
    status: 201,
    handler: ({ params, body, principal, request }) =>
      withTransaction(ctx.db, async (tx) => {
        const at = ctx.clock();
        const by = { id: principal.id, username: principal.username };
        const input = { operatorId: params.operatorId, ...body };
        const { config, created } = await publishOperatorConfig(tx, input, by, at);
        if (created) {
          await audit(tx, {
            at,
            actor: by,
            action: 'operator_config.publish',
            subject: `operator:${params.operatorId}`,
            details: { version: config.version, effectiveFrom: config.effectiveFrom },
            requestId: String(request.id),
          });
        }
        return config;
      }),
  });
}

function registerAnomalyRoutes(router: StaffRouter, db: Queryable): void {
  router.route({
    method: 'GET',
    url: '/admin/card-anomalies',
    summary: 'What post-processing found on cards (counter gaps, broken balance chains, fares)',
    tags: ['admin'],
    access: ['admin', 'finance', 'auditor'],
    query: anomalyQuery,
    response: z.object({ anomalies: z.array(anomalySchema) }),
    handler: async ({ query }) => ({
      anomalies: await listAnomalies(db, {
        cardNumber: query.cardNumber,
        openOnly: query.open === 'true',
      }),
    }),
  });
}

export function registerPublishRoutes(router: StaffRouter, ctx: AdminContext): void {
  registerFareSetRoutes(router, ctx);
  registerConfigRoutes(router, ctx);
  registerAnomalyRoutes(router, ctx.db);
}
