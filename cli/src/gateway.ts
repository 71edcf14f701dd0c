import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { keyMaterial, loadConfig } from '@citycard/core/config';
import { deriveKeyId, FilePkiStore, parseKek } from '@citycard/core/crypto';
import { createPool } from '@citycard/core/db';
import { createQueues, type QueueFactory } from '@citycard/core/queue';
import { buildApp, defaultGatewaySettings, service } from '@citycard/transaction-gateway';
import {
  defaultTerminalRateLimits,
  type DistributionDeps,
} from '@citycard/transaction-gateway/distribution';
import {
  startOutboxRelay,
  startPostprocessWorker,
} from '@citycard/transaction-gateway/postprocess';
import { gatewayTlsEnv, startGatewayTlsListener } from '@citycard/transaction-gateway/terminals';
import { loadSecrets, type Platform } from './platform.js';

/** The PKI store's key id for CITYCARD_KEK (see commands/pki.ts). */
const PKI_KEK_ID = 'kek-1';

/** Per-terminal request rate (a bench or a large retail terminal may need more). */
const rateEnv = z.object({
  GATEWAY_TERMINAL_RATE_PER_S: z.coerce
    .number()
    .positive()
    .default(defaultTerminalRateLimits.perSecond),
  GATEWAY_TERMINAL_BURST: z.coerce.number().int().min(1).default(defaultTerminalRateLimits.burst),
});

/** A pool whose connections see the gateway schema first, as the service's queries expect. */
export function gatewayPool(platform: Platform): pg.Pool {
  return createPool({
    url: platform.databaseUrl,
    applicationName: 'citycard-transaction-gateway',
    searchPath: [service.schema, 'public'],
    statementTimeoutMs: service.statementTimeoutMs,
    log: platform.log,
  });
}

/** Terminal MAC keys are sealed under the platform KEK; the CA is the platform PKI store. */
export async function gatewayDeps(platform: Platform, db: pg.Pool): Promise<DistributionDeps> {
  const { secrets, generated } = await loadSecrets(
    platform.config,
    z.object({ CITYCARD_KEK: keyMaterial }),
    ['CITYCARD_KEK'],
  );
  for (const g of generated) {
    platform.log.warn(
      { variable: g.variable, file: g.file },
      `${platform.config.CITYCARD_MODE} mode: generated a secret (never in production)`,
    );
  }
  const key = parseKek(secrets.CITYCARD_KEK);
  const rate = loadConfig(rateEnv);
  const tls = loadConfig(z.object(gatewayTlsEnv));
  const pkiDir = path.resolve(platform.config.CITYCARD_DATA_DIR, 'pki');
  return {
    db,
    log: platform.log,
    macKeyKek: { id: deriveKeyId(key), key },
    ca: new FilePkiStore(pkiDir, { id: PKI_KEK_ID, key }),
    clock: platform.gatewayClock ?? (() => new Date()),
    settings: { ...defaultGatewaySettings, requireClientCert: tls.GATEWAY_REQUIRE_CLIENT_CERT },
    redisUrl: platform.config.REDIS_URL,
    distribution: {
      rateLimits: {
        perSecond: rate.GATEWAY_TERMINAL_RATE_PER_S,
        burst: rate.GATEWAY_TERMINAL_BURST,
      },
    },
  };
}

function openGatewayQueues(platform: Platform): QueueFactory {
  return createQueues({
    ...(platform.config.REDIS_URL === undefined ? {} : { redisUrl: platform.config.REDIS_URL }),
    databaseUrl: platform.databaseUrl,
    log: platform.log,
  });
}

/**
 * The gateway app with its outbox relay beside it: ingest writes outbox rows only, and this
 * process moves them to the queue whenever the queue is reachable. With GATEWAY_TLS_PORT set,
 * `listenMore` starts the terminals' mutual-TLS listener in front of the same app.
 */
export async function buildGatewayService(
  platform: Platform,
  logLevel: string,
): Promise<{
  app: FastifyInstance;
  close(): Promise<void>;
  listenMore(host: string): Promise<string | undefined>;
}> {
  const db = gatewayPool(platform);
  const deps = await gatewayDeps(platform, db);
  const app = await buildApp({ ...deps, logLevel });
  const queues = openGatewayQueues(platform);
  const relay = startOutboxRelay({ db, queues, log: platform.log });
  const tls = loadConfig(z.object(gatewayTlsEnv));
  let closeTls: (() => Promise<void>) | undefined;
  return {
    app,
    async close() {
      await closeTls?.();
      await relay.stop();
      await queues.close();
      await db.end();
    },
    async listenMore(host) {
      if (tls.GATEWAY_TLS_PORT === undefined) return undefined;
      // The CA key is sealed under the KEK with the PKI store's own key id.
      const started = await startGatewayTlsListener(app, {
        host,
        port: tls.GATEWAY_TLS_PORT,
        hostnames: tls.GATEWAY_TLS_HOSTNAMES,
        pki: {
          dir: path.resolve(platform.config.CITYCARD_DATA_DIR, 'pki'),
          kek: { id: PKI_KEK_ID, key: deps.macKeyKek.key },
        },
      });
      closeTls = () => started.listener.close();
      return started.url;
    },
  };
}

/** The post-processing worker (card continuity, day-level fare re-check) on the worker's queues. */
export function startGatewayWorker(
  queues: QueueFactory,
  platform: Platform,
): { close(): Promise<void> } {
  const db = gatewayPool(platform);
  const clock = platform.gatewayClock ?? (() => new Date());
  startPostprocessWorker(queues, { db, log: platform.log, clock });
  platform.log.info({ queue: 'gateway-postprocess', backend: queues.backend }, 'worker started');
  return { close: () => db.end() };
}
