import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { AppError } from '@citycard/core/errors';

export interface GuardConfig {
  /** The port the local API listens on: the only one a Host header may name. */
  readonly port: number;
  /** Exact origins (scheme://host[:port]) whose pages may call the API. */
  readonly allowedOrigins: readonly string[];
  readonly token: string;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function normaliseOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

/**
 * A page on any site can make a browser send requests to 127.0.0.1, and DNS rebinding can make a
 * foreign name resolve there. Only a Host of our own loopback address and port, and an Origin from
 * the list, are accepted; the bearer token then proves the caller read the token file.
 */
export class RequestGuard {
  private readonly hosts: ReadonlySet<string>;
  private readonly origins: ReadonlySet<string>;
  private readonly tokenDigest: Buffer;

  constructor(config: GuardConfig) {
    this.hosts = new Set([`127.0.0.1:${config.port}`, `localhost:${config.port}`]);
    this.origins = new Set(config.allowedOrigins.map(normaliseOrigin));
    this.tokenDigest = digest(config.token);
  }

  /** Host and Origin; answers the origin to echo in CORS headers, if any. */
  checkSource(req: IncomingMessage): string | undefined {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.hosts.has(host)) {
      throw new AppError('AGENT_ORIGIN_REFUSED', {
        message: 'The Host header does not name this agent on the loopback address',
      });
    }
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    if (!this.origins.has(normaliseOrigin(origin))) {
      throw new AppError('AGENT_ORIGIN_REFUSED', {
        message: 'This origin may not call the local API',
      });
    }
    return origin;
  }

  /** `Authorization: Bearer`, or `?token=` where a browser cannot set headers (EventSource). */
  checkToken(req: IncomingMessage, url: URL, allowQueryToken: boolean): void {
    const header = req.headers.authorization;
    let presented: string | undefined;
    if (header !== undefined) {
      const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
      presented = match?.[1];
    } else if (allowQueryToken) {
      presented = url.searchParams.get('token') ?? undefined;
    }
    if (presented === undefined || !timingSafeEqual(digest(presented), this.tokenDigest)) {
      throw new AppError('UNAUTHENTICATED', {
        message: 'A valid bearer token (from the agent token file) is required',
      });
    }
  }
}

/** CORS headers for an allowed origin; nothing for same-origin or non-browser callers. */
export function corsHeaders(origin: string | undefined): OutgoingHttpHeaders {
  if (origin === undefined) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'false',
    vary: 'Origin',
  };
}

export function preflightHeaders(
  origin: string | undefined,
  req: IncomingMessage,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    ...corsHeaders(origin),
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type, x-request-id',
    'access-control-max-age': '600',
  };
  // Chrome's Private Network Access asks before a page reaches a loopback address.
  if (origin !== undefined && req.headers['access-control-request-private-network'] === 'true') {
    headers['access-control-allow-private-network'] = 'true';
  }
  return headers;
}
