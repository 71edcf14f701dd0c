import { createInterface } from 'node:readline';
import { z } from 'zod';
import { loadConfigOrExit } from '@citycard/core/config';
import { createPool } from '@citycard/core/db';
import { createLogger } from '@citycard/core/logging';
import { SAMPLE_CITY_FARE_SET } from '@citycard/terminal-sdk/fare';
import { PROTOCOL_PATHS } from '@citycard/terminal-sdk/protocol';
import { buildGatewayApp, defaultGatewaySettings, service } from '@citycard/transaction-gateway';
import type { CertificateAuthority } from '@citycard/transaction-gateway';
import { staticFareSets } from '@citycard/transaction-gateway/verification';

/**
 * A transaction gateway in a process of its own, for tests that kill it: the test harness's deps
 * (startGatewayTestApp) on schemas the test prepared, listening on 127.0.0.1:CHILD_PORT.
 *
 * It loads its modules at once, then waits for a `listen` line on stdin before it builds the app,
 * so a test can have the next process ready while the current one still runs and a restart costs
 * the app's start, not the module loading. It prints `listening <url>` when it accepts requests,
 * and exits when its stdin closes.
 *
 * Run it as `node --conditions=source --import tsx gateway-child.ts`: the `tsx` command would put
 * a second process between the test and the server, and a SIGKILL would miss the server.
 */
const env = loadConfigOrExit(
  'gateway-child',
  z.object({
    DATABASE_URL: z.url(),
    CHILD_PORT: z.coerce.number().int().min(1).max(65_535),
    CHILD_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/),
    CHILD_CONTRACT_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/),
    CHILD_KEK_ID: z.string().min(1),
    /** The harness's gateway KEK, base64: the terminals' MAC keys are sealed under it. */
    CHILD_KEK: z.base64(),
    CHILD_LOG_LEVEL: z.string().default('error'),
    /** Holds back each batch receipt this long after the commit, like a slow link would. */
    CHILD_ANSWER_DELAY_MS: z.coerce.number().int().min(0).default(0),
  }),
);

/** Enrolment is not exercised here, and a CA's RSA key would cost seconds on every restart. */
const noCa: CertificateAuthority = {
  caCertPem: () => Promise.reject(new Error('no CA in this process')),
  issue: () => Promise.reject(new Error('no CA in this process')),
};

async function start(): Promise<void> {
  const log = createLogger({ name: service.name, level: env.CHILD_LOG_LEVEL });
  const db = createPool({
    url: env.DATABASE_URL,
    applicationName: 'citycard-gateway-child',
    searchPath: [env.CHILD_SCHEMA, 'public'],
  });
  const built = await buildGatewayApp({
    db,
    log,
    logLevel: env.CHILD_LOG_LEVEL,
    macKeyKek: { id: env.CHILD_KEK_ID, key: Buffer.from(env.CHILD_KEK, 'base64') },
    ca: noCa,
    clock: () => new Date(),
    settings: defaultGatewaySettings,
    issuanceSchema: env.CHILD_CONTRACT_SCHEMA,
    fareSets: staticFareSets([SAMPLE_CITY_FARE_SET]),
    distribution: { rateLimits: { perSecond: 1_000_000, burst: 1_000_000 } },
  });
  const delay = env.CHILD_ANSWER_DELAY_MS;
  if (delay > 0) {
    // onSend runs once the handler has answered, so after the ingest transaction committed.
    built.app.addHook('onSend', async (request) => {
      if (request.method === 'POST' && request.url === PROTOCOL_PATHS.batches) {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    });
  }
  const url = await built.app.listen({ host: '127.0.0.1', port: env.CHILD_PORT });
  process.stdout.write(`listening ${url}\n`);
  process.once('SIGTERM', () => {
    void built.app
      .close()
      .then(() => db.end())
      .finally(() => process.exit(0));
  });
}

let starting = false;
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'listen' || starting) return;
  starting = true;
  start().catch((err: unknown) => {
    process.stderr.write(`gateway-child: ${String(err)}\n`);
    process.exit(1);
  });
});
// The test holds stdin open: when it goes away, so does this process (never an orphan server).
lines.on('close', () => process.exit(0));
process.stdout.write('loaded\n');
