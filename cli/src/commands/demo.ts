import path from 'node:path';
import type { Command } from 'commander';
import { createPool, migrate, migrationStatus } from '@citycard/core/db';
import { shadowPostingJob } from '@citycard/card-issuance';
import { AppError } from '@citycard/core/errors';
import type { QueueFactory } from '@citycard/core/queue';
import { runCityDay } from '../demo/city-day.js';
import { SimClock } from '../demo/sim-clock.js';
import { writeDemoOutput } from '../demo/output.js';
import { gatewayPool, startGatewayWorker } from '../gateway.js';
import { issuanceDeps, issuancePool } from '../issuance.js';
import { positiveInt } from '../options.js';
import {
  migrationSources,
  openPlatform,
  services,
  type Platform,
  type ServiceName,
} from '../platform.js';
import { progressBar } from '../progress.js';
import { clearingPool, startClearingJobs } from './clearing.js';
import { openPkiStore } from './pki.js';
import { startServices, type RunningService } from './serve.js';
import { openQueues, startWorkers } from './worker.js';

/**
 * The README's main job: a small city's day on the embedded defaults, through every real part,
 * ending with a settled clearing run and its files in demo-output/.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'a city day on the embedded defaults: counters, terminals, gateway, nightly clearing, settlement',
    )
    .option('--cards <n>', 'residents served at the counters', positiveInt, 2000)
    .option('--events <n>', 'about how many taps and purchases', positiveInt, 50_000)
    .option('--seed <seed>', 'the same seed gives the same day', '1')
    .option('--out <dir>', 'where the statements, bank files and summary go', 'demo-output')
    .option('--keep-running', 'leave the services and the worker running until Ctrl-C')
    .action(async (opts: DemoOptions) => {
      process.env.CITYCARD_MODE ??= 'demo';
      const started = Date.now();
      // The story is told on stdout; the services' own warnings (card anomalies and the like)
      // are the demo's findings, reported at the end, not noise in the middle of it.
      process.env.LOG_LEVEL ??= 'error';
      const base = await openPlatform('demo');
      try {
        const today = cstDay(Date.now());
        const clock = new SimClock(new Date(`${today}T05:30:00+08:00`));
        const platform = await demoDatabase(base, clock);
        try {
          await runDemo(platform, opts, clock, today);
        } finally {
          await platform.pool.end();
        }
        console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      } finally {
        await base.close();
      }
    });
}

interface DemoOptions {
  cards: number;
  events: number;
  seed: string;
  out: string;
  keepRunning?: boolean;
}

const DEMO_DATABASE = 'citycard_demo';

/**
 * The demo's city lives in a database of its own on the same server, dropped and made again on
 * every run: a second run starts clean, whatever the first left behind.
 */
async function demoDatabase(base: Platform, clock: SimClock): Promise<Platform> {
  await base.pool.query(`DROP DATABASE IF EXISTS ${DEMO_DATABASE} WITH (FORCE)`);
  await base.pool.query(`CREATE DATABASE ${DEMO_DATABASE}`);
  const url = new URL(base.databaseUrl);
  url.pathname = `/${DEMO_DATABASE}`;
  const databaseUrl = url.toString();
  return {
    ...base,
    databaseUrl,
    pool: createPool({ url: databaseUrl, applicationName: 'citycard-demo' }),
    clearingClock: clockAfterCutoff(),
    gatewayClock: clock.now,
  };
}

/** China Standard Time has no daylight saving: +08:00 all year. */
const CST = 8 * 3600_000;
const cstDay = (t: number): string => new Date(t + CST).toISOString().slice(0, 10);

/**
 * Clearing's clock for the demo: half an hour past the cut-off that closes today's business
 * day, running on from there. The rest of the platform keeps real time.
 */
function clockAfterCutoff(): () => Date {
  const now = Date.now();
  const tomorrow = Date.parse(`${cstDay(now)}T04:30:00+08:00`) + 24 * 3600_000;
  const offset = tomorrow - now;
  return () => new Date(Date.now() + offset);
}

async function runDemo(
  platform: Platform,
  opts: DemoOptions,
  clock: SimClock,
  today: string,
): Promise<void> {
  const say = (line: string): void => console.log(`  ✓ ${line}`);
  console.log(
    `citycard demo (mode ${platform.config.CITYCARD_MODE}, data in ${path.resolve(platform.config.CITYCARD_DATA_DIR)})`,
  );
  say(
    platform.embedded
      ? `PostgreSQL: embedded, ${platform.databaseReuse}; the city starts clean in database ${DEMO_DATABASE}`
      : `PostgreSQL: DATABASE_URL's server; the city starts clean in database ${DEMO_DATABASE}`,
  );
  await migrateAll(platform, say);
  await ensurePki(say);

  const queues = openQueues(platform);
  const workers: { close(): Promise<void> }[] = [];
  try {
    startWorkers(queues, platform.log);
    workers.push(startGatewayWorker(queues, platform));
    workers.push(await startClearingJobs(queues, platform));
    say(
      `job queues on ${queues.backend === 'redis' ? 'Redis' : 'PostgreSQL'}; nightly clearing scheduled`,
    );
    const names = Object.keys(services) as ServiceName[];
    const running = await startServices(names, platform, {
      host: '127.0.0.1',
      ports: {},
      logLevel: platform.config.LOG_LEVEL,
      agent: { port: 0, hostnames: [] },
    });
    try {
      await cityDay(platform, running, queues, opts, { clock, today, say });
      if (opts.keepRunning === true) {
        for (const svc of running) say(`${svc.name} at ${svc.url}`);
        console.log('\nRunning; press Ctrl-C to stop.');
        const { untilSignal } = await import('../signals.js');
        await untilSignal();
      }
    } finally {
      await Promise.all(running.map((r) => r.close()));
    }
  } finally {
    await queues.close();
    for (const w of workers) await w.close();
  }
}

async function migrateAll(platform: Platform, say: (line: string) => void): Promise<void> {
  const pending = (await migrationStatus(platform.pool, migrationSources)).filter(
    (r) => r.state === 'pending',
  );
  const bar = progressBar('  migrating', pending.length);
  const migrated = await migrate(platform.pool, migrationSources, {
    onFile: (f) => bar.tick(`${f.schema}/${f.name}`),
  });
  bar.stop();
  say(
    `schemas migrated: ${migrated.applied.length} applied (${migrationSources.map((s) => s.schema).join(', ')})`,
  );
}

async function ensurePki(say: (line: string) => void): Promise<void> {
  const store = await openPkiStore();
  const created = await store.caCertPem().then(
    () => false,
    async (err: unknown) => {
      if (!(err instanceof AppError) || err.code !== 'PKI_NOT_INITIALISED') throw err;
      await store.init({ commonName: 'citycard demo CA', validityDays: 3650 });
      return true;
    },
  );
  say(
    `platform CA ${created ? 'created' : 'reused'} (terminal, reader-agent and server certificates)`,
  );
}

async function cityDay(
  platform: Platform,
  running: readonly RunningService[],
  queues: QueueFactory,
  opts: DemoOptions,
  ctx: { clock: SimClock; today: string; say: (line: string) => void },
): Promise<void> {
  const { say } = ctx;
  const url = (name: ServiceName): string => running.find((r) => r.name === name)?.url ?? '';
  const agent = running.find((r) => r.name === 'card-issuance')?.tlsUrl;
  if (agent === undefined)
    throw new AppError('SERVICE_UNAVAILABLE', { message: 'no reader-agent listener' });
  const urls = {
    issuance: url('card-issuance'),
    gateway: url('transaction-gateway'),
    clearing: url('clearing'),
    agent,
  };
  for (const svc of running) say(`${svc.name} ready at ${svc.url}`);
  const pools = {
    issuance: issuancePool(platform),
    gateway: gatewayPool(platform),
    clearing: clearingPool(platform),
  };
  try {
    const { cardKeyKek } = await issuanceDeps(platform, pools.issuance);
    const beforeClearing = async (): Promise<string> => {
      const posted = await shadowPostingJob({ db: pools.issuance, log: platform.log }, {});
      return `issuance's shadow posting job: ${posted.debits} terminal debits and ${posted.fareRefunds} fare refunds posted to shadow balances${posted.negativeCards > 0 ? `, ${posted.negativeCards} card(s) below zero` : ''}`;
    };
    const result = await runCityDay(
      { urls, pools, cardKeyKek, queues, log: platform.log, say, clock: ctx.clock, beforeClearing },
      { cards: opts.cards, events: opts.events, seed: opts.seed, serviceDay: ctx.today },
    );
    const out = path.resolve(opts.out);
    const { lines } = await writeDemoOutput(out, result, urls, pools.gateway);
    console.log('');
    for (const line of lines) console.log(line);
    console.log(
      `\nWritten to ${out}: settlement-statement.csv, statements/*.pdf, bank-payment-file.csv, reconciliation-exceptions.csv, summary.json`,
    );
  } finally {
    await Promise.all(Object.values(pools).map((p) => p.end()));
  }
}
