import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createHttpApp, createRouter } from '@citycard/core/http';
import type { IssuanceDeps } from '../deps.js';
import { registerPlanKinds } from '../plan-kinds.js';
import { service } from '../service.js';
import {
  createAgentAuthenticator,
  type AgentPrincipal,
  type AgentRole,
  type AgentTls,
} from './agent-auth.js';
import { registerAgentApiRoutes } from './agent-api.routes.js';

export interface AgentListener {
  readonly app: FastifyInstance;
  readonly server: Server;
  /** Starts listening; resolves to the https:// URL. */
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
}

function tlsServer(tls: AgentTls, app: FastifyInstance): Server {
  return createServer(
    {
      key: tls.keyPem,
      cert: tls.certPem,
      ca: tls.caCertPem,
      requestCert: true,
      // Checked per request instead, so a refused client gets a coded answer, not a reset.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => app.routing(req, res),
  );
}

function listenOn(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`https://${shown}:${address.port}`);
    });
  });
}

/**
 * The issuance service's second listener, for reader agents only: HTTPS with mutual TLS. The
 * server asks every client for a certificate from the platform CA; the authenticator turns it
 * into a registered agent or a coded refusal. The Fastify app is the same kind every service
 * builds; the TLS server in front of it is this listener's own.
 */
export async function buildAgentApp(
  deps: IssuanceDeps,
  tls: AgentTls,
  logLevel?: string,
): Promise<AgentListener> {
  registerPlanKinds();
  const app = await createHttpApp({
    name: `${service.name}-agent`,
    ...(logLevel === undefined ? {} : { logLevel }),
    readiness: { database: () => deps.db.query('SELECT 1') },
    bodyLimit: 256 * 1024,
  });
  const router = createRouter<AgentRole, AgentPrincipal>(app, createAgentAuthenticator(deps, tls));
  registerAgentApiRoutes(router, deps);
  await app.ready();
  const server = tlsServer(tls, app);
  return {
    app,
    server,
    listen: ({ host, port }) => listenOn(server, host, port),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
    },
  };
}
