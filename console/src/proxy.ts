import proxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';
import { AppError } from '@citycard/core/errors';

export interface Upstream {
  /** The path under /api/ the pages call it by: issuance, gateway or clearing. */
  readonly name: string;
  readonly url: string;
}

/**
 * Cookies mean nothing to the services (staff carry bearer tokens) and are not passed on. The
 * forwarding headers are the console's own to set: one a browser sent is not passed on.
 */
const DROPPED_REQUEST_HEADERS = [
  'cookie',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
];

/**
 * The console trusts no proxy in front of itself, so the browser is its socket's peer. A service
 * that trusts the console (ISSUANCE_TRUST_PROXY) then sees that address as request.ip.
 */
function forwardingHeaders(request: {
  readonly socket: { readonly remoteAddress?: string | undefined };
  readonly protocol: string;
}): Record<string, string> {
  const peer = request.socket.remoteAddress;
  return {
    ...(peer === undefined ? {} : { 'x-forwarded-for': peer }),
    'x-forwarded-proto': request.protocol,
  };
}

/**
 * /api/<name>/* goes to the service as /*, so the browser has one origin and no CORS. Bodies pass
 * through unread and unlogged; the console's request id travels on to join the services' logs, and
 * the browser's address in X-Forwarded-For.
 */
export async function registerServiceProxy(
  app: FastifyInstance,
  upstream: Upstream,
  timeoutMs: number,
): Promise<void> {
  await app.register(proxy, {
    upstream: upstream.url,
    prefix: `/api/${upstream.name}`,
    rewritePrefix: '',
    http: { requestOptions: { timeout: timeoutMs } },
    replyOptions: {
      rewriteRequestHeaders: (request, headers) => {
        const out: Record<string, string | string[] | undefined> = { ...headers };
        for (const name of DROPPED_REQUEST_HEADERS) delete out[name];
        out['x-request-id'] = request.id;
        return { ...out, ...forwardingHeaders(request) };
      },
      onError: (reply, { error }) => {
        const timedOut = (error as { statusCode?: number }).statusCode === 504;
        reply.log.warn({ service: upstream.name, timedOut }, 'service not answering');
        void reply.send(
          new AppError('SERVICE_UNAVAILABLE', {
            message: timedOut
              ? `The ${upstream.name} service did not answer in time`
              : `The ${upstream.name} service is not answering`,
            details: { service: upstream.name },
          }),
        );
      },
    },
  });
}
