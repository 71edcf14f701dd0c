import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '@citycard/core/db';
import { benchDatabase } from './database.js';
import { printFigures, round } from './figures.js';
import { constantRate } from './http-load.js';
import { seedCounterDay, type Seeded } from './issuance-seed.js';

/**
 * Cardholder lookups and card-status requests against `citycard serve card-issuance` (its own
 * process, as deployed) at a fixed rate. The machine's own floor is measured in the same run:
 * the same server's /healthz at the same rate, and the card lookup's SQL straight from here.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rate = Number(process.env.BENCH_RATE ?? 500);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const holders = Number(process.env.BENCH_CARDHOLDERS ?? 200);
/** both (default) alternates the two lookups; cards or search runs one alone. */
const mix = process.env.BENCH_MIX ?? 'both';

function citycard(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [path.join(repoRoot, 'cli/bin/citycard.js'), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = citycard(args, env);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`citycard ${args.join(' ')} exited ${code}: ${err}`);
}

function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = citycard(['serve', 'card-issuance'], env);
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"listening"/.exec(buffered);
      if (match?.[1] !== undefined) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${buffered.slice(-2000)}`)));
  });
}

async function sqlFloor(url: string, seeded: Seeded): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const latencies: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const n = seeded.cardNumbers[i % seeded.cardNumbers.length];
    const t = performance.now();
    await pool.query('SELECT id, state, product_code FROM issuance.cards WHERE card_number = $1', [
      n,
    ]);
    latencies.push(performance.now() - t);
  }
  await pool.end();
  latencies.sort((a, b) => a - b);
  return latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN;
}

const server = await benchDatabase();
let served: ChildProcess | undefined;
let scratch: ScratchDatabase | undefined;
try {
  scratch = await createScratchDatabase({
    serverUrl: server.url,
    prefix: 'citycard_bench',
    applicationName: 'citycard-bench',
  });
  const { url } = scratch;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    CITYCARD_MODE: 'development',
    CITYCARD_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'citycard-bench-')),
    ISSUANCE_PORT: '0',
    LOG_LEVEL: 'info',
    CITYCARD_ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
  };
  delete env.REDIS_URL;
  await run(['db', 'migrate'], env);
  await run(['staff', 'bootstrap-admin', '--username', 'bench-admin'], env);
  const started = await serve(env);
  served = started.child;
  const seeded = await seedCounterDay(
    started.url,
    'bench-admin',
    env.CITYCARD_ADMIN_PASSWORD ?? '',
    holders,
  );

  const healthz = await constantRate(rate, seconds, () => fetch(`${started.url}/healthz`));
  const lookup = (i: number): Promise<Response> => {
    const k = i % seeded.cardNumbers.length;
    const cardLookup = mix === 'cards' || (mix === 'both' && i % 2 === 0);
    return cardLookup
      ? fetch(`${started.url}/cards/by-number/${seeded.cardNumbers[k]}`, {
          headers: seeded.headers,
        })
      : fetch(`${started.url}/cardholders/search`, {
          method: 'POST',
          headers: { ...seeded.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ idNumber: seeded.idNumbers[k] }),
        });
  };
  // The first second warms the JIT, the pool's connections and the keep-alive sockets; it is
  // reported apart so the steady state is what the percentiles describe.
  const warmup = await constantRate(rate, 1, lookup);
  const lookups = await constantRate(rate, seconds, lookup);
  const sqlP99 = await sqlFloor(url, seeded);
  if (lookups.failed > 0) throw new Error(`${lookups.failed} of ${lookups.sent} lookups failed`);
  printFigures('issuance', {
    mix,
    target_req_per_s: rate,
    seconds,
    cardholders: holders,
    achieved_req_per_s: round(lookups.achievedPerS, 1),
    p50_ms: round(lookups.p50Ms),
    p99_ms: round(lookups.p99Ms),
    max_ms: round(lookups.maxMs),
    warmup_p99_ms: round(warmup.p99Ms),
    healthz_p99_ms: round(healthz.p99Ms),
    sql_card_lookup_p99_ms: round(sqlP99),
    p99_ratio_to_healthz: round(lookups.p99Ms / healthz.p99Ms),
    goal_p99_ms: 20,
    goal_met: lookups.p99Ms <= 20 && lookups.achievedPerS >= rate * 0.98,
  });
} finally {
  served?.kill('SIGTERM');
  await scratch?.close();
  await server.stop();
}
