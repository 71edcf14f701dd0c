import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IssuanceSettings } from '@citycard/card-issuance';
import { createClearingTestDb, type ClearingTestDb } from '@citycard/clearing/testing';
import { startConsoleServer, type RunningConsole } from '@citycard/console';
import { runPlan } from '@citycard/core/card';
import { createLogger } from '@citycard/core/logging';
import {
  IssuanceClient,
  startReaderAgent,
  type RunningReaderAgent,
} from '@citycard/reader-agent/daemon';
import { VirtualReaderHub } from '@citycard/reader-agent/virtual';
import { startServices, type Services } from './services.js';
import { WEB_DIST } from './web-build.js';

export const READER = 'Counter Reader 1';

/** Everything a counter and a finance office use: services, a reader agent, the console. */
export interface Stack {
  readonly db: ClearingTestDb;
  readonly services: Services;
  readonly hub: VirtualReaderHub;
  readonly agent: RunningReaderAgent;
  readonly console: RunningConsole;
  close(): Promise<void>;
}

/** A free loopback port: the agent must know the console's origin before the console starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `settings` change issuance's own (a replacement's hold period, say). */
export async function startStack(settings: Partial<IssuanceSettings> = {}): Promise<Stack> {
  const db = await createClearingTestDb();
  const services = await startServices(db.url, settings);
  const dir = await mkdtemp(join(tmpdir(), 'console-e2e-'));
  const consolePort = await freePort();
  const hub = new VirtualReaderHub();
  hub.plug(READER);
  const agent = await startReaderAgent({
    hub,
    issuance: new IssuanceClient({ baseUrl: services.agentListenerUrl, ...services.agentTls }),
    runPlan: (card, plan) => runPlan(card, plan),
    log: createLogger({ name: 'reader-agent', level: process.env.CONSOLE_E2E_LOG_LEVEL ?? 'warn' }),
    port: 0,
    allowedOrigins: [`http://127.0.0.1:${consolePort}`],
    tokenFile: join(dir, `token-${randomBytes(3).toString('hex')}`),
    spoolFile: join(dir, 'reports.json'),
  });
  const running = await startConsoleServer({
    host: '127.0.0.1',
    port: consolePort,
    issuanceUrl: services.issuanceUrl,
    gatewayUrl: services.gatewayUrl,
    clearingUrl: services.clearingUrl,
    webRoot: WEB_DIST,
    readerAgentOrigins: [agent.url],
    logLevel: 'warn',
  });
  return {
    db,
    services,
    hub,
    agent,
    console: running,
    async close() {
      await running.close();
      await agent.close();
      await hub.close();
      await services.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
