import type { FastifyInstance } from 'fastify';
import { createHttpApp } from '@citycard/core/http';
import {
  DEFAULT_READER_AGENT_ORIGINS,
  readerAgentOrigin,
  serviceUrl,
  type ConsoleOptions,
} from './options.js';
import { registerServiceProxy } from './proxy.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerWebApp } from './web-app.js';

const DEFAULT_UPSTREAM_TIMEOUT_MS = 120_000;

/** The console: the web app, and the three services behind /api/ on the same origin. */
export async function buildConsoleApp(options: ConsoleOptions): Promise<FastifyInstance> {
  const agents = (options.readerAgentOrigins ?? DEFAULT_READER_AGENT_ORIGINS).map(
    readerAgentOrigin,
  );
  const upstreams = [
    { name: 'issuance', url: serviceUrl('issuanceUrl', options.issuanceUrl) },
    { name: 'gateway', url: serviceUrl('gatewayUrl', options.gatewayUrl) },
    { name: 'clearing', url: serviceUrl('clearingUrl', options.clearingUrl) },
  ];
  const app = await createHttpApp({
    name: 'console',
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
  });
  registerSecurityHeaders(app, agents);
  const timeout = options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  for (const upstream of upstreams) await registerServiceProxy(app, upstream, timeout);
  await registerWebApp(app, options.webRoot);
  return app;
}
