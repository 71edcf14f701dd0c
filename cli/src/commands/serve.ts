import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '@citycard/core/errors';
import { httpEnv, loadConfig } from '@citycard/core/config';
import { buildApp as buildClearing } from '@citycard/clearing';
import { buildIssuanceApp } from '@citycard/card-issuance';
import { consoleOptionsFromEnv, startConsoleServer } from '@citycard/console';
import { buildClearingService } from './clearing.js';
import { issuanceDeps, issuancePool, startIssuanceAgentListener } from '../issuance.js';
import { buildGatewayService } from '../gateway.js';
import { openPlatform, services, type Platform, type ServiceName } from '../platform.js';
import { untilSignal } from '../signals.js';

interface Built {
  readonly app: FastifyInstance;
  close(): Promise<void>;
  /**
   * A second listener beside the app's own, mutual TLS: issuance's for reader agents, the
   * gateway's for terminals (when GATEWAY_TLS_PORT is set).
   */
  listenMore?(host: string): Promise<string | undefined>;
}

type Builder = (platform: Platform, logLevel: string, agent?: AgentPort) => Promise<Built>;

/** Where issuance's reader-agent listener goes; absent: no agent listener. */
export interface AgentPort {
  readonly port: number;
  readonly hostnames: readonly string[];
}

/** Each service gets a pool of its own, with its schema first on the search path. */
const builders: Record<ServiceName, Builder> = {
  'card-issuance': async (platform, logLevel, agent) => {
    const db = issuancePool(platform);
    const deps = await issuanceDeps(platform, db);
    const { app } = await buildIssuanceApp(deps, logLevel);
    let agentClose: (() => Promise<void>) | undefined;
    return {
      app,
      async close() {
        await agentClose?.();
        await db.end();
      },
      listenMore: async (host) => {
        if (agent === undefined) return undefined;
        const opts = { host, port: agent.port, logLevel, hostnames: agent.hostnames };
        const listening = await startIssuanceAgentListener(platform, deps, opts);
        agentClose = listening === undefined ? undefined : () => listening.close();
        return listening?.url;
      },
    };
  },
  'transaction-gateway': (platform, logLevel) => buildGatewayService(platform, logLevel),
  clearing: async (platform, logLevel) => ({
    app: await buildClearing({ db: platform.pool, logLevel }),
    close: () => Promise.resolve(),
  }),
};
// Clearing runs on a pool of its own (clearing first on the search path, as its queries expect)
// with the cut-off and time zone from CLEARING_CUTOFF / CLEARING_TIME_ZONE.
builders.clearing = (platform, logLevel) => buildClearingService(platform, logLevel);

const portsSchema = z.object({
  ...httpEnv(0),
  ISSUANCE_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65_535)
    .default(services['card-issuance'].defaultPort),
  GATEWAY_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65_535)
    .default(services['transaction-gateway'].defaultPort),
  CLEARING_PORT: z.coerce.number().int().min(0).max(65_535).default(services.clearing.defaultPort),
  /** Issuance's mutual-TLS listener for reader agents. */
  ISSUANCE_AGENT_PORT: z.coerce.number().int().min(0).max(65_535).default(8444),
  /** Comma-separated DNS names for the agent listener's certificate, besides localhost. */
  ISSUANCE_AGENT_HOSTNAMES: z.string().default(''),
});

export interface RunningService {
  readonly name: ServiceName;
  readonly url: string;
  readonly app: FastifyInstance;
  /** Its mutual-TLS listener, when it has one (issuance: reader agents; gateway: terminals). */
  readonly tlsUrl?: string;
  close(): Promise<void>;
}

/** The web console: its built pages and a pass-through to the three services (one origin). */
async function serveConsole(): Promise<void> {
  const running = await startConsoleServer(consoleOptionsFromEnv());
  console.error(`console on ${running.url}`);
  await untilSignal();
  await running.close();
}

export async function startServices(
  names: readonly ServiceName[],
  platform: Platform,
  opts: {
    host: string;
    ports: Partial<Record<ServiceName, number>>;
    logLevel: string;
    agent?: AgentPort;
  },
): Promise<RunningService[]> {
  const running: RunningService[] = [];
  try {
    for (const name of names) {
      const built = await builders[name](platform, opts.logLevel, opts.agent);
      const address = await built.app.listen({ host: opts.host, port: opts.ports[name] ?? 0 });
      const close = async (): Promise<void> => {
        await built.app.close();
        await built.close();
      };
      running.push({ name, url: address, app: built.app, close });
      const more = await built.listenMore?.(opts.host);
      if (more !== undefined) {
        const label = name === 'card-issuance' ? 'reader-agent listener' : 'terminal listener';
        platform.log.info({ service: name, url: more }, `${label} (mutual TLS)`);
        running[running.length - 1] = { name, url: address, app: built.app, tlsUrl: more, close };
      }
    }
  } catch (err) {
    await Promise.all(running.map((r) => r.close()));
    throw err;
  }
  return running;
}

function selectServices(which: string): ServiceName[] {
  if (which === 'all') return Object.keys(services) as ServiceName[];
  if (Object.hasOwn(services, which)) return [which as ServiceName];
  throw new AppError('VALIDATION_FAILED', {
    message: `Unknown service "${which}": expected one of ${Object.keys(services).join(', ')} or all`,
  });
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .argument('<service>', `one of ${Object.keys(services).join(', ')}, all, or console`)
    .description(
      'run HTTP services until SIGINT/SIGTERM (ports: ISSUANCE_PORT, ISSUANCE_AGENT_PORT, GATEWAY_PORT, GATEWAY_TLS_PORT, CLEARING_PORT, CONSOLE_PORT)',
    )
    .action(async (which: string) => {
      if (which === 'console') return serveConsole();
      const names = selectServices(which);
      const env = loadConfig(portsSchema);
      const platform = await openPlatform('serve');
      try {
        const ports = {
          'card-issuance': env.ISSUANCE_PORT,
          'transaction-gateway': env.GATEWAY_PORT,
          clearing: env.CLEARING_PORT,
        };
        if (names.length === 1 && process.env.PORT !== undefined)
          ports[names[0] as ServiceName] = env.PORT;
        const running = await startServices(names, platform, {
          host: env.HOST,
          ports,
          logLevel: platform.config.LOG_LEVEL,
          agent: {
            port: env.ISSUANCE_AGENT_PORT,
            hostnames: env.ISSUANCE_AGENT_HOSTNAMES.split(',')
              .map((h) => h.trim())
              .filter((h) => h !== ''),
          },
        });
        for (const r of running) platform.log.info({ service: r.name, url: r.url }, 'listening');
        const signal = await untilSignal();
        platform.log.info({ signal }, 'shutting down');
        await Promise.all(running.map((r) => r.close()));
      } finally {
        await platform.close();
      }
    });
}
