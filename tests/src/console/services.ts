import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import {
  buildAgentApp,
  buildIssuanceApp,
  defaultSettings,
  type AgentListener,
  type IssuanceDeps,
  type IssuanceSettings,
} from '@citycard/card-issuance';
import { ensureTestMasterKeys } from '@citycard/card-issuance/testing';
import { buildClearingApp } from '@citycard/clearing';
import {
  createCa,
  createKeyAndCsr,
  issueCertificate,
  issueServerCertificate,
} from '@citycard/core/crypto';
import { createPool } from '@citycard/core/db';
import { createLogger } from '@citycard/core/logging';
import { SAMPLE_CITY_FARE_SET } from '@citycard/terminal-sdk/fare';
import { buildGatewayApp, defaultGatewaySettings } from '@citycard/transaction-gateway';
import { testCa } from '@citycard/transaction-gateway/testing';
import { staticFareSets } from '@citycard/transaction-gateway/verification';

/** The three services on one database, as `citycard serve all` runs them, on ephemeral ports. */
export interface Services {
  readonly issuanceUrl: string;
  readonly gatewayUrl: string;
  readonly clearingUrl: string;
  readonly issuance: FastifyInstance;
  readonly issuanceDeps: IssuanceDeps;
  /** issuance's mutual-TLS listener for reader agents */
  readonly agentListenerUrl: string;
  /** A reader agent's client credentials, issued by the throw-away platform CA. */
  readonly agentTls: { readonly ca: string; readonly cert: string; readonly key: string };
  readonly agentId: string;
  close(): Promise<void>;
}

const LEVEL = process.env.CONSOLE_E2E_LOG_LEVEL ?? 'warn';

function pool(url: string, schema: string): pg.Pool {
  return createPool({
    url,
    applicationName: `citycard-console-e2e-${schema}`,
    searchPath: [schema, 'public'],
  });
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export function issuanceDepsOn(
  db: pg.Pool,
  settings: Partial<IssuanceSettings> = {},
): IssuanceDeps {
  return {
    db,
    log: createLogger({ name: 'card-issuance', level: LEVEL }),
    piiKek: { id: `e2e-${randomBytes(4).toString('hex')}`, key: randomBytes(32) },
    blindIndexKey: randomBytes(32),
    cardKeyKek: { id: 'e2e-card-keys', key: createHash('sha256').update('console e2e').digest() },
    clock: () => new Date(),
    settings: { ...defaultSettings, ...settings },
    redisUrl: undefined,
  };
}

/** A throw-away platform CA: the agent listener's server certificate and one agent's own. */
function agentCertificates(agentId: string) {
  const ca = createCa({ commonName: 'console e2e CA', validityDays: 2 });
  const server = issueServerCertificate({ caCertPem: ca.certPem, caKeyPem: ca.keyPem });
  const agentKey = createKeyAndCsr({ commonName: agentId });
  const agentCert = issueCertificate({
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    csrPem: agentKey.csrPem,
    role: 'reader-agent',
    subjectId: agentId,
    validityDays: 2,
  });
  return { ca, server, agent: { ca: ca.certPem, cert: agentCert.certPem, key: agentKey.keyPem } };
}

async function startAgentListener(deps: IssuanceDeps, agentId: string) {
  const certs = agentCertificates(agentId);
  const listener: AgentListener = await buildAgentApp(
    deps,
    {
      keyPem: certs.server.keyPem,
      certPem: certs.server.certPem,
      caCertPem: certs.ca.certPem,
      revokedSerials: () => Promise.resolve(new Set<string>()),
    },
    LEVEL,
  );
  const url = await listener.listen({ host: '127.0.0.1', port: 0 });
  return { listener, url, tls: certs.agent };
}

async function startGateway(databaseUrl: string) {
  const db = pool(databaseUrl, 'gateway');
  const built = await buildGatewayApp({
    db,
    log: createLogger({ name: 'transaction-gateway', level: LEVEL }),
    logLevel: LEVEL,
    macKeyKek: { id: 'e2e-gateway-kek', key: randomBytes(32) },
    ca: testCa(),
    clock: () => new Date(),
    settings: defaultGatewaySettings,
    issuanceSchema: 'issuance',
    fareSets: staticFareSets([SAMPLE_CITY_FARE_SET]),
    distribution: { rateLimits: { perSecond: 1_000_000, burst: 1_000_000 } },
  });
  return { db, app: built.app, url: await listen(built.app) };
}

export async function startServices(
  databaseUrl: string,
  settings: Partial<IssuanceSettings> = {},
): Promise<Services> {
  const issuanceDb = pool(databaseUrl, 'issuance');
  const deps = issuanceDepsOn(issuanceDb, settings);
  await ensureTestMasterKeys(deps);
  // Behind the console, as deployed: the browser's address reaches issuance's records.
  const { app: issuance } = await buildIssuanceApp(deps, LEVEL, { trustProxy: ['127.0.0.1'] });
  const issuanceUrl = await listen(issuance);
  const agentId = `counter-agent-${randomBytes(4).toString('hex')}`;
  const agent = await startAgentListener(deps, agentId);
  const gateway = await startGateway(databaseUrl);
  const clearingDb = pool(databaseUrl, 'clearing');
  const clearing = await buildClearingApp({ db: clearingDb, logLevel: LEVEL });
  const clearingUrl = await listen(clearing.app);
  return {
    issuanceUrl,
    gatewayUrl: gateway.url,
    clearingUrl,
    issuance,
    issuanceDeps: deps,
    agentListenerUrl: agent.url,
    agentTls: agent.tls,
    agentId,
    async close() {
      await clearing.app.close();
      await gateway.app.close();
      await agent.listener.close();
      await issuance.close();
      await Promise.all([clearingDb.end(), gateway.db.end(), issuanceDb.end()]);
    },
  };
}
