import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { z } from 'zod';
import { AppError } from '../errors/index.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route: nobody is implicit, so every route says it. */
export type Access<R extends string> = 'public' | 'authenticated' | readonly R[];

export interface Principal<R extends string> {
  readonly id: string;
  readonly roles: readonly R[];
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteDef<
  R extends string,
  P extends Principal<R>,
  Params extends z.ZodType | undefined,
  Body extends z.ZodType | undefined,
  Query extends z.ZodType | undefined,
  Res extends z.ZodType,
> {
  readonly method: HttpMethod;
  readonly url: string;
  readonly summary: string;
  readonly tags?: readonly string[];
  readonly access: Access<R>;
  readonly params?: Params;
  readonly body?: Body;
  readonly query?: Query;
  /** The success answer's schema: it documents the route and bounds what goes out. */
  readonly response: Res;
  readonly status?: 200 | 201 | 202;
  handler(ctx: {
    params: Infer<Params>;
    body: Infer<Body>;
    query: Infer<Query>;
    principal: P;
    request: FastifyRequest;
    reply: FastifyReply;
  }): Promise<z.input<Res>>;
}

export interface RouteInfo<R extends string> {
  readonly method: HttpMethod;
  readonly url: string;
  readonly access: Access<R>;
}

export interface Router<R extends string, P extends Principal<R>> {
  route<
    Params extends z.ZodType | undefined = undefined,
    Body extends z.ZodType | undefined = undefined,
    Query extends z.ZodType | undefined = undefined,
    Res extends z.ZodType = z.ZodType,
  >(
    def: RouteDef<R, P, Params, Body, Query, Res>,
  ): void;
  /** Every route with its access rule, for the route × role matrix test and the docs. */
  routes(): readonly RouteInfo<R>[];
}

const anonymous = Symbol('anonymous');

/**
 * Declares routes with their roles, validation and answer schemas in one place. Authentication
 * and the role check run in onRequest, before the body is parsed, so that a caller without the
 * right gets 401/403 and learns nothing about the shape of the input.
 */
export function createRouter<R extends string, P extends Principal<R>>(
  app: FastifyInstance,
  authenticate: (request: FastifyRequest) => Promise<P>,
): Router<R, P> {
  const infos: RouteInfo<R>[] = [];
  const principals = new WeakMap<FastifyRequest, P | typeof anonymous>();
  return {
    route(def) {
      infos.push({ method: def.method, url: def.url, access: def.access });
      const status = def.status ?? 200;
      const schema: FastifySchema = {
        summary: def.summary,
        ...(def.tags === undefined ? {} : { tags: [...def.tags] }),
        ...(def.access === 'public' ? {} : { security: [{ bearer: [] }] }),
        ...(def.params === undefined ? {} : { params: def.params }),
        ...(def.body === undefined ? {} : { body: def.body }),
        ...(def.query === undefined ? {} : { querystring: def.query }),
        response: { [status]: def.response },
      };
      app.route({
        method: def.method,
        url: def.url,
        schema,
        onRequest: async (request) => {
          if (def.access === 'public') {
            principals.set(request, anonymous);
            return;
          }
          const principal = await authenticate(request);
          if (
            def.access !== 'authenticated' &&
            !principal.roles.some((r) => def.access.includes(r))
          ) {
            throw new AppError('FORBIDDEN', { details: { allowed: [...def.access] } });
          }
          principals.set(request, principal);
        },
        handler: async (request, reply) => {
          const principal = principals.get(request);
          const result = await def.handler({
            params: request.params as never,
            body: request.body as never,
            query: request.query as never,
            principal: (principal === anonymous ? undefined : principal) as P,
            request,
            reply,
          });
          return reply.status(status).send(result);
        },
      });
    },
    routes: () => infos,
  };
}
