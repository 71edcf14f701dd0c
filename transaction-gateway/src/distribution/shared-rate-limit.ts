import type { Redis } from 'ioredis';
import { AppError } from '@citycard/core/errors';
import type { Logger } from '@citycard/core/logging';
import { rateLimitedTotal } from '../metrics/index.js';
import type { TerminalRateLimiter, TerminalRateLimits } from './terminal-rate-limit.js';

/**
 * The token bucket of terminal-rate-limit.ts kept in Redis, so that every gateway behind the load
 * balancer spends one bucket per terminal. One script call per request: refill from the time
 * passed (never backwards: gateways' clocks differ a little), take a token if there is one.
 * Answers { taken (1/0), tokens left } with the count as a string (Lua numbers become integers).
 */
const TAKE_TOKEN = `
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local saved = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(saved[1]) or burst
local at = tonumber(saved[2]) or now
if now > at then
  tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
  at = now
end
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', key, ttl)
return { taken, tostring(tokens) }`;

interface TokenCommands {
  citycardTakeToken(
    key: string,
    rate: number,
    burst: number,
    now: number,
    ttlMs: number,
  ): Promise<[number, string]>;
}

export interface SharedRateLimiterOptions {
  readonly redis: Redis;
  readonly limits: TerminalRateLimits;
  readonly clock: () => number;
  /** Prepended to the terminal id: one namespace per deployment (and per test). */
  readonly keyPrefix: string;
  /** Used while Redis does not answer: ingest never depends on Redis being up. */
  readonly fallback: TerminalRateLimiter;
  readonly log: Pick<Logger, 'warn'>;
}

// A bucket left alone this long is full again, so its key can go.
const refillMs = (limits: TerminalRateLimits): number =>
  Math.min(86_400_000, Math.ceil((limits.burst / limits.perSecond) * 1000) + 60_000);

/** Warn at most this often while Redis is away. */
const WARN_EVERY_MS = 60_000;

export function createSharedTerminalRateLimiter(o: SharedRateLimiterOptions): TerminalRateLimiter {
  o.redis.defineCommand('citycardTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
  const commands = o.redis as unknown as TokenCommands;
  const ttlMs = refillMs(o.limits);
  let warnedAt = Number.NEGATIVE_INFINITY;
  return {
    async take(terminalId: string): Promise<void> {
      let reply: [number, string];
      try {
        reply = await commands.citycardTakeToken(
          `${o.keyPrefix}${terminalId}`,
          o.limits.perSecond,
          o.limits.burst,
          o.clock(),
          ttlMs,
        );
      } catch (err) {
        const now = Date.now();
        if (now - warnedAt >= WARN_EVERY_MS) {
          warnedAt = now;
          o.log.warn({ err }, 'terminal rate limit: Redis unavailable, limiting in this process');
        }
        await o.fallback.take(terminalId);
        return;
      }
      if (reply[0] === 1) return;
      rateLimitedTotal.inc();
      const missing = 1 - Number(reply[1]);
      throw new AppError('RATE_LIMITED', {
        message: 'Too many requests from this terminal; wait and try again',
        details: { retryAfterSeconds: Math.max(1, Math.ceil(missing / o.limits.perSecond)) },
      });
    },
  };
}
