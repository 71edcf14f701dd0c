import type { FastifyInstance } from 'fastify';
import { clearingRegistry } from '../jobs/index.js';

/** GET /metrics in Prometheus text format, for the internal network only (like the gateway's). */
export function registerMetricsRoute(app: FastifyInstance): void {
  app.get('/metrics', async (_request, reply) => {
    const body = await clearingRegistry.metrics();
    return reply.header('content-type', clearingRegistry.contentType).send(body);
  });
}
