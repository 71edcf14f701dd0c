import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { CLEARING_QUEUE } from '@citycard/clearing/jobs';
import { deriveKeyId, parseKek, type KeyEncryptionKey } from '@citycard/core/crypto';
import { createPool } from '@citycard/core/db';
import { createLogger } from '@citycard/core/logging';
import { createQueues, type QueueFactory } from '@citycard/core/queue';
import { freePort } from '../gateway/gateway-process.js';
import type { CityClocks } from './clocks.js';
import {
  citycard,
  CityProcess,
  START_TIMEOUT_MS,
  untilListening,
  untilReady,
  type Env,
} from './processes.js';

/** Queues the city's processes use, emptied when the story ends. */
const QUEUES = [CLEARING_QUEUE, 'gateway-postprocess', 'issuance-shadow-posting', 'maintenance'];

export interface CityUrls {
  readonly issuance: string;
  readonly gateway: string;
  readonly clearing: string;
  /** Issuance's mutual-TLS listener for reader agents. */
  readonly agent: string;
}

export interface CityPools {
  readonly issuance: pg.Pool;
  readonly gateway: pg.Pool;
  readonly clearing: pg.Pool;
}

/** Every service of the city as a process of its own, on a database and data directory of its own. */
export interface CityStack {
  readonly urls: CityUrls;
  readonly pools: CityPools;
  readonly queues: QueueFactory;
  readonly dataDir: string;
  readonly env: Env;
  readonly kek: KeyEncryptionKey;
  /** The gateway's clock as the terminals must sign with it (real time moved by its offset). */
  readonly gatewayClock: () => Date;
  /** Restarts the gateway on the same port with its clock past the cut-off. */
  gatewayPastCutoff(): Promise<void>;
  close(): Promise<void>;
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database of the city's own on DATABASE_URL's server: nothing of another test is in it. */
async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (server === undefined || server === '') throw new Error('DATABASE_URL is not set');
  const name = `citycard_e2e_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/**
 * The city's queues live in a Redis database of their own (the processes know no key prefix), so
 * that a worker of a developer's own city on the same Redis never takes one of these jobs.
 */
function cityRedisUrl(): string | undefined {
  const base = process.env.REDIS_URL;
  if (base === undefined || base === '') return undefined;
  const url = new URL(base);
  url.pathname = '/11';
  return url.toString();
}

const secret = (): string => randomBytes(32).toString('hex');

interface Ports {
  readonly issuance: number;
  readonly agent: number;
  readonly gateway: number;
  readonly clearing: number;
}

async function ports(): Promise<Ports> {
  return {
    issuance: await freePort(),
    agent: await freePort(),
    gateway: await freePort(),
    clearing: await freePort(),
  };
}

const schemaPool = (url: string, schema: string): pg.Pool =>
  createPool({ url, applicationName: 'citycard-e2e', searchPath: [schema, 'public'], max: 4 });

function cityEnv(databaseUrl: string, dataDir: string, kekHex: string): Env {
  const redisUrl = cityRedisUrl();
  return {
    DATABASE_URL: databaseUrl,
    ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
    CITYCARD_DATA_DIR: dataDir,
    CITYCARD_MODE: 'development',
    CITYCARD_KEK: kekHex,
    CITYCARD_PII_KEK: secret(),
    CITYCARD_BLIND_INDEX_KEY: secret(),
    LOG_LEVEL: 'warn',
    // The test starts the nightly job itself, when the day's uploads are in; the schedule never fires.
    CLEARING_NIGHTLY_CRON: '0 0 29 2 *',
  };
}

/** The processes of the city and what they stand on, stopped and removed in `close`. */
class City {
  readonly running: CityProcess[] = [];
  queues: QueueFactory | undefined;
  pools: CityPools | undefined;
  gatewayOffsetMs: number;

  constructor(
    readonly db: { url: string; drop(): Promise<void> },
    readonly dataDir: string,
    readonly env: Env,
    readonly clocks: CityClocks,
    readonly ports: Ports,
  ) {
    this.gatewayOffsetMs = clocks.gatewayDayOffsetS * 1000;
  }

  get urls(): CityUrls {
    const p = this.ports;
    return {
      issuance: `http://127.0.0.1:${p.issuance}`,
      gateway: `http://127.0.0.1:${p.gateway}`,
      clearing: `http://127.0.0.1:${p.clearing}`,
      agent: `https://127.0.0.1:${p.agent}`,
    };
  }

  start(name: string, args: readonly string[], more: Env): CityProcess {
    const child = new CityProcess(name, args, { ...this.env, ...more });
    this.running.push(child);
    return child;
  }

  gateway(offsetS: number): CityProcess {
    return this.start('gateway', ['serve', 'transaction-gateway'], {
      GATEWAY_PORT: String(this.ports.gateway),
      CITYCARD_GATEWAY_CLOCK_OFFSET_S: String(offsetS),
    });
  }

  /** Schemas and platform CA first; the card master keys while the services load. */
  async startAll(): Promise<void> {
    const { env, clocks, urls, ports: p } = this;
    await Promise.all([
      citycard(['db', 'migrate'], env),
      citycard(['pki', 'init', '--common-name', 'citycard e2e CA'], env),
    ]);
    const keys = citycard(['keys', 'init', '--note', 'e2e city'], env);
    const issuance = this.start('issuance', ['serve', 'card-issuance'], {
      ISSUANCE_PORT: String(p.issuance),
      ISSUANCE_AGENT_PORT: String(p.agent),
    });
    const gateway = this.gateway(clocks.gatewayDayOffsetS);
    const clearing = this.start('clearing', ['serve', 'clearing'], {
      CLEARING_PORT: String(p.clearing),
      CITYCARD_CLEARING_CLOCK_OFFSET_S: String(clocks.clearingOffsetS),
    });
    const worker = this.start('worker', ['worker'], {
      LOG_LEVEL: 'info',
      CITYCARD_CLEARING_CLOCK_OFFSET_S: String(clocks.clearingOffsetS),
      CITYCARD_GATEWAY_CLOCK_OFFSET_S: String(clocks.gatewayDayOffsetS),
    });
    await Promise.all([
      keys,
      untilReady(issuance, `${urls.issuance}/readyz`).then(() => untilListening(p.agent)),
      untilReady(gateway, `${urls.gateway}/readyz`),
      untilReady(clearing, `${urls.clearing}/readyz`),
      worker.line((l) => l.includes('nightly clearing scheduled'), 'schedule', START_TIMEOUT_MS),
    ]);
  }

  async gatewayPastCutoff(): Promise<void> {
    const old = this.running.find((c) => c.name === 'gateway');
    await old?.stop();
    if (old !== undefined) this.running.splice(this.running.indexOf(old), 1);
    const gateway = this.gateway(this.clocks.gatewayLateOffsetS);
    await untilReady(gateway, `${this.urls.gateway}/readyz`);
    this.gatewayOffsetMs = this.clocks.gatewayLateOffsetS * 1000;
  }

  /** Everything the story started is stopped and removed, whatever failed before. */
  async close(): Promise<void> {
    const { queues, pools } = this;
    const steps: (() => Promise<unknown>)[] = [
      () => Promise.all(this.running.map((p) => p.stop())),
      async () => {
        for (const name of queues === undefined ? [] : QUEUES) {
          await queues?.queue(name).obliterate({ force: true });
        }
      },
      async () => queues?.close(),
      async () =>
        pools && Promise.all([pools.issuance, pools.gateway, pools.clearing].map((p) => p.end())),
      () => this.db.drop(),
      () => rm(this.dataDir, { recursive: true, force: true }),
    ];
    const failures: unknown[] = [];
    for (const step of steps) await step().catch((err: unknown) => failures.push(err));
    if (failures.length > 0) throw failures[0];
  }
}

/** Prepares the city (schemas, platform CA, card master keys) and starts every service. */
export async function startCity(clocks: CityClocks): Promise<CityStack> {
  const db = await freshDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'citycard-e2e-'));
  const kekHex = secret();
  const city = new City(db, dataDir, cityEnv(db.url, dataDir, kekHex), clocks, await ports());
  try {
    await city.startAll();
    const pools = {
      issuance: schemaPool(db.url, 'issuance'),
      gateway: schemaPool(db.url, 'gateway'),
      clearing: schemaPool(db.url, 'clearing'),
    };
    city.pools = pools;
    const redisUrl = city.env.REDIS_URL;
    const queues = createQueues({
      ...(redisUrl === undefined ? {} : { redisUrl }),
      databaseUrl: db.url,
      log: createLogger({ name: 'e2e-queues', level: 'warn' }),
    });
    city.queues = queues;
    const key = parseKek(kekHex);
    return {
      urls: city.urls,
      pools,
      queues,
      dataDir,
      env: city.env,
      kek: { id: deriveKeyId(key), key },
      gatewayClock: () => new Date(Date.now() + city.gatewayOffsetMs),
      gatewayPastCutoff: () => city.gatewayPastCutoff(),
      close: () => city.close(),
    };
  } catch (err) {
    await city.close();
    throw err;
  }
}
