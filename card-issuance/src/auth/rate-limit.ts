import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { AppError } from '@citycard/core/errors';
import type { IssuanceDeps } from '../deps.js';

export interface LoginLimits {
  /** Attempts per window for one IP and one username. */
  readonly max: number;
  readonly windowMs: number;
}

export const defaultLoginLimits: LoginLimits = { max: 10, windowMs: 60_000 };

/** Routes that take a password: each is limited per caller and account. */
export const PASSWORD_ROUTES: readonly string[] = ['/auth/login', '/auth/password'];

const digest = (text: string): string =>
  createHash('sha256').update(text).digest('base64url').slice(0, 22);

/**
 * Login attempts per IP and username: slows guessing at one account from one place without
 * letting one noisy address lock everybody out. Keyed after the body is parsed (preHandler),
 * so the username is known; a password change has no username and is keyed by its token.
 */
function keyOf(request: FastifyRequest): string {
  const body = request.body as { username?: unknown } | undefined;
  const who =
    typeof body?.username === 'string'
      ? `u:${body.username.toLowerCase()}`
      : `t:${digest(request.headers.authorization ?? '')}`;
  return `${request.ip}|${digest(who)}`;
}

export async function registerLoginRateLimit(
  app: FastifyInstance,
  deps: IssuanceDeps,
  limits: LoginLimits = defaultLoginLimits,
): Promise<void> {
  const redis =
    deps.redisUrl === undefined
      ? undefined
      : new Redis(deps.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  if (redis !== undefined) {
    redis.on('error', (err: Error) => deps.log.warn({ err }, 'rate-limit redis error'));
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => undefined);
    });
  }
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    ...(redis === undefined ? {} : { redis, nameSpace: 'citycard:issuance:login:' }),
    // The per-account lockout in the database still holds when Redis is away.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', {
        message: 'Too many sign-in attempts; wait and try again',
        details: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
      }),
  });
  const limiter = app.rateLimit({
    max: limits.max,
    timeWindow: limits.windowMs,
    keyGenerator: keyOf,
  });
  app.addHook('onRoute', (route) => {
    if (!PASSWORD_ROUTES.includes(route.url) || route.method !== 'POST') return;
    const existing = route.preHandler;
    route.preHandler = [
      ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]),
      limiter,
    ];
  });
}
