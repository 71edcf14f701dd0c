import proxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';
import { AppError } from '@citycard/core/errors';

export interface Upstream {
  /** The path under /api/ the pages call it by: issuance, gateway or clearing. */
  readonly name: string;
  readonly url: string;
}

/** Cookies mean nothing to the services (staff carry bearer tokens) and are not passed on. */
const DROPPED_REQUEST_HEADERS = ['cookie', 'x-forwarded-host'];

/**
 * /api/<name>/* goes to the service as /*, so the browser has one origin and no CORS. Bodies pass
 * through unread and unlogged; the console's request id travels on to join the services' logs.
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
        return out;
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
