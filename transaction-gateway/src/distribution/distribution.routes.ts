import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '@citycard/core/errors';
import {
  PROTOCOL_PATHS,
  fareSetsResponseSchema,
  hotlistResponseSchema,
  operatorConfigResponseSchema,
  timeResponseSchema,
} from '@citycard/terminal-sdk/protocol';
import type { TerminalRouter } from '../terminals/index.js';
import { fareSetsInForce } from './fare-sets.repository.js';
import { hotlistSince, type HotlistPolicy, type HotlistSource } from './hotlist.repository.js';
import { configsInForce } from './operator-configs.repository.js';
import type { Queryable } from '@citycard/core/db';

export interface DistributionContext {
  readonly db: Queryable;
  readonly hotlist: HotlistSource;
  readonly hotlistPolicy: HotlistPolicy;
  readonly clock: () => Date;
}

const sinceQuery = z.strictObject({
  since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});

/** An If-None-Match that names the current ETag (or `*`) is answered 304 without a body. */
function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (typeof header !== 'string') return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === etag || t === '*');
}

/**
 * The router sends the handler's answer with the route's status; a 304 is set here instead, in
 * onSend, where the serialised body can still be dropped.
 */
export function registerConditionalGet(app: FastifyInstance): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    const etag = reply.getHeader('etag');
    if (request.method !== 'GET' || reply.statusCode !== 200 || typeof etag !== 'string') {
      return payload;
    }
    if (!notModified(request, etag)) return payload;
    void reply.code(304);
    void reply.removeHeader('content-type');
    void reply.removeHeader('content-length');
    return await Promise.resolve('');
  });
}

export function distributionRoutes(ctx: DistributionContext) {
  return (router: TerminalRouter): void => {
    router.route({
      method: 'GET',
      url: PROTOCOL_PATHS.hotlist,
      summary: 'Hotlist changes since a version, or the full list',
      tags: ['distribution'],
      access: ['terminal'],
      query: sinceQuery,
      response: hotlistResponseSchema,
      async handler({ query, reply }) {
        const answer = await hotlistSince(ctx.hotlist, query.since, ctx.hotlistPolicy, ctx.clock());
        const since = answer.kind === 'delta' ? answer.since : 0;
        void reply.header('etag', `"hotlist-${answer.kind}-${since}-${answer.version}"`);
        void reply.header('cache-control', 'private, no-cache');
        return answer;
      },
    });
    router.route({
      method: 'GET',
      url: PROTOCOL_PATHS.fares,
      summary: 'The fare set in force and any scheduled ones',
      tags: ['distribution'],
      access: ['terminal'],
      response: fareSetsResponseSchema,
      async handler({ reply }) {
        const { fareSets, etag } = await fareSetsInForce(ctx.db, ctx.clock());
        if (fareSets.length === 0) throw new AppError('FARE_SET_NOT_PUBLISHED');
        void reply.header('etag', etag);
        void reply.header('cache-control', 'private, no-cache');
        return { v: 1 as const, fareSets };
      },
    });
    router.route({
      method: 'GET',
      url: PROTOCOL_PATHS.config,
      summary: "The terminal's operator configuration in force and any scheduled ones",
      tags: ['distribution'],
      access: ['terminal'],
      response: operatorConfigResponseSchema,
      async handler({ principal, reply }) {
        const { configs, etag } = await configsInForce(ctx.db, principal.operatorId, ctx.clock());
        void reply.header('etag', etag);
        void reply.header('cache-control', 'private, no-cache');
        return { v: 1 as const, configs };
      },
    });
  };
}

/**
 * GET /v1/time is public: a terminal whose clock drifted beyond the signature tolerance could not
 * sign a request for the time that would correct it.
 */
export function registerTimeRoute(app: FastifyInstance, clock: () => Date): void {
  app.route({
    method: 'GET',
    url: PROTOCOL_PATHS.time,
    schema: {
      summary: "The gateway's clock, to the millisecond",
      tags: ['distribution'],
      response: { 200: timeResponseSchema },
    },
    handler: async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      return await Promise.resolve({ v: 1 as const, serverTime: clock().toISOString() });
    },
  });
}
