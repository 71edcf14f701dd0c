import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '@citycard/core/errors';
import { httpEnv, loadConfig } from '@citycard/core/config';
import { buildApp as buildClearing } from '@citycard/clearing';
import { buildIssuanceApp } from '@citycard/card-issuance';
import { buildApp as buildGateway } from '@citycard/transaction-gateway';
import { issuanceDeps, issuancePool } from '../issuance.js';
import { openPlatform, services, type Platform, type ServiceName } from '../platform.js';
import { untilSignal } from '../signals.js';

type Builder = (
  platform: Platform,
  logLevel: string,
) => Promise<{ app: FastifyInstance; close(): Promise<void> }>;

/** Each service gets a pool of its own, with its schema first on the search path. */
const builders: Record<ServiceName, Builder> = {
  'card-issuance': async (platform, logLevel) => {
    const db = issuancePool(platform);
    const { app } = await buildIssuanceApp(await issuanceDeps(platform, db), logLevel);
    return { app, close: () => db.end() };
  },
  'transaction-gateway': async (platform, logLevel) => ({
    app: await buildGateway({ db: platform.pool, logLevel }),
    close: () => Promise.resolve(),
  }),
  clearing: async (platform, logLevel) => ({
    app: await buildClearing({ db: platform.pool, logLevel }),
    close: () => Promise.resolve(),
  }),
};

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
});

export interface RunningService {
  readonly name: ServiceName;
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export async function startServices(
  names: readonly ServiceName[],
  platform: Platform,
  opts: { host: string; ports: Partial<Record<ServiceName, number>>; logLevel: string },
): Promise<RunningService[]> {
  const running: RunningService[] = [];
  try {
    for (const name of names) {
      const built = await builders[name](platform, opts.logLevel);
      const address = await built.app.listen({ host: opts.host, port: opts.ports[name] ?? 0 });
      running.push({
        name,
        url: address,
        app: built.app,
        close: async () => {
          await built.app.close();
          await built.close();
        },
      });
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
    .argument('<service>', `one of ${Object.keys(services).join(', ')}, or all`)
    .description(
      'run HTTP services until SIGINT/SIGTERM (ports: ISSUANCE_PORT, GATEWAY_PORT, CLEARING_PORT)',
    )
    .action(async (which: string) => {
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
