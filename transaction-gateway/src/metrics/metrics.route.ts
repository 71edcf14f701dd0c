import type { FastifyInstance } from 'fastify';
import { gatewayRegistry } from './gateway-metrics.js';

/**
 * GET /metrics in Prometheus text format. Plain Fastify rather than the router: the scraper
 * speaks text, and the endpoint belongs on the internal network (see the deployment notes).
 */
export function registerMetricsRoute(app: FastifyInstance): void {
  app.get('/metrics', async (_request, reply) => {
    const body = await gatewayRegistry.metrics();
    return reply.header('content-type', gatewayRegistry.contentType).send(body);
  });
}
