import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@citycard/core/errors';
import { TERMINAL_HEADER } from '@citycard/terminal-sdk/protocol';
import { rateLimitedTotal } from '../metrics/index.js';

export interface TerminalRateLimits {
  /** Requests a terminal may make per second, sustained. */
  readonly perSecond: number;
  /** Requests it may make at once after a quiet spell. */
  readonly burst: number;
}

/** A terminal uploads every minute or so and polls less often: this leaves room for catch-up. */
export const defaultTerminalRateLimits: TerminalRateLimits = { perSecond: 20, burst: 100 };

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets idle this long are full again and can be dropped. */
const IDLE_MS = 60_000;

/** Takes one request from the terminal's budget, or throws RATE_LIMITED. */
export interface TerminalRateLimiter {
  take(terminalId: string): void | Promise<void>;
}

/**
 * A token bucket per terminal, in this process. Without Redis, gateways behind a load balancer
 * each hold their own: a terminal's effective limit is the sum over the instances it reaches
 * (with Redis, shared-rate-limit.ts keeps one bucket for all of them).
 */
export function createTerminalRateLimiter(
  limits: TerminalRateLimits,
  clock: () => number,
): TerminalRateLimiter {
  const buckets = new Map<string, Bucket>();
  let sweptAt = clock();
  const sweep = (now: number): void => {
    if (now - sweptAt < IDLE_MS) return;
    sweptAt = now;
    for (const [id, b] of buckets) if (now - b.at > IDLE_MS) buckets.delete(id);
  };
  return {
    /** Takes one request from the terminal's bucket, or throws RATE_LIMITED. */
    take(terminalId: string): void {
      const now = clock();
      sweep(now);
      const b = buckets.get(terminalId) ?? { tokens: limits.burst, at: now };
      b.tokens = Math.min(limits.burst, b.tokens + ((now - b.at) / 1000) * limits.perSecond);
      b.at = now;
      buckets.set(terminalId, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return;
      }
      rateLimitedTotal.inc();
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - b.tokens) / limits.perSecond));
      throw new AppError('RATE_LIMITED', {
        message: 'Too many requests from this terminal; wait and try again',
        details: { retryAfterSeconds },
      });
    },
  };
}

/** Terminal routes that are not limited: enrolment has no terminal yet, time must always work. */
const UNLIMITED = new Set(['/v1/terminals/enrol', '/v1/time']);

/**
 * Every terminal request, the ingest routes included, counts against its terminal's bucket. It
 * runs in preHandler: by then the terminal routes have checked the request signature, so the
 * header names a terminal that proved itself and nobody can spend another terminal's budget.
 * Registered on the root instance before the terminal routes, so their scopes inherit it.
 */
export function registerTerminalRateLimit(
  app: FastifyInstance,
  limiter: TerminalRateLimiter,
): void {
  app.addHook('preHandler', async (request: FastifyRequest) => {
    const terminalId = request.headers[TERMINAL_HEADER];
    const path = request.routeOptions.url ?? '';
    if (typeof terminalId !== 'string' || !path.startsWith('/v1/') || UNLIMITED.has(path)) return;
    await limiter.take(terminalId);
  });
}
