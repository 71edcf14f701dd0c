import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '@citycard/core/db';
import { service as issuanceService } from '@citycard/card-issuance';
import { service as gatewayService } from '@citycard/transaction-gateway';
import { signRequest, type Batch } from '@citycard/terminal-sdk/protocol';
import { benchDatabase } from './database.js';
import { percentile, printFigures, round } from './figures.js';
import { constantRate } from './http-load.js';
import {
  batchesFor,
  enrolOperator,
  enrolTerminals,
  purchase,
  type Card,
  type Terminal,
} from './ingest-data.js';
import {
  closeConnections,
  closedLoop,
  cpuMark,
  cpuMsPerUnit,
  cpuPerUnit,
  cpuSecondsOf,
  dropDatabase,
  freshDatabase,
  peakRssMb,
  postJson,
  run,
  serve,
  stopChild,
} from './ingest-support.js';
import { seedCounterDay } from './issuance-seed.js';

/**
 * M simulated terminals post batches of 200–500 MACed records to `citycard serve
 * transaction-gateway` (its own process, as deployed); the same rows are then COPYed raw into an
 * identical table, the machine's floor for writing them. Last, online terminals post single
 * records at a fixed rate (open loop) for the single-transaction endpoint's latency.
 * BENCH_GATEWAYS=n runs n gateway processes, each terminal always reaching the same one (as a
 * load balancer keyed by terminal would); CPU figures are milliseconds of gateway/PostgreSQL
 * backends/this client per unit.
 */
const terminalCount = Number(process.env.BENCH_TERMINALS ?? 8);
/** Online terminals for the single-record endpoint: each terminal's uploads are serialised. */
const onlineCount = Number(process.env.BENCH_ONLINE_TERMINALS ?? 64);
const batchesPerTerminal = Number(process.env.BENCH_BATCHES ?? 12);
const cardCount = Number(process.env.BENCH_CARDS ?? 64);
const singleRate = Number(process.env.BENCH_SINGLE_RATE ?? 2000);
const singleSeconds = Number(process.env.BENCH_SINGLE_SECONDS ?? 3);
const gatewayCount = Number(process.env.BENCH_GATEWAYS ?? 1);

/** The gateway each terminal reaches, once they run. */
const baseOf = new Map<string, string>();
// Other work on the machine moves every figure here: the run reports the load it ran under.
const loadAtStart = loadavg()[0] ?? Number.NaN;

function post(t: Terminal, url: string, body: unknown): Promise<Response> {
  const text = JSON.stringify(body);
  const headers = signRequest(
    { terminalId: t.id, macKey: t.macKey },
    { method: 'POST', path: url, body: text },
    new Date(),
  );
  return postJson(`${baseOf.get(t.id) ?? ''}${url}`, headers, text);
}

async function uploadAll(terminals: Terminal[], batches: Map<string, Batch[]>) {
  const latencies: number[] = [];
  let records = 0;
  const started = performance.now();
  await Promise.all(
    terminals.map(async (t) => {
      for (const batch of batches.get(t.id) ?? []) {
        const sent = performance.now();
        const res = await post(t, '/v1/batches', batch);
        const receipt = (await res.json()) as { accepted?: number };
        if (!res.ok) throw new Error(`batch refused: ${res.status} ${JSON.stringify(receipt)}`);
        latencies.push(performance.now() - sent);
        records += batch.records.length;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { records, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const COPY_TRIES = 3;

/**
 * The same rows, COPYed raw into a table like gateway.transactions (its keys, no triggers): the
 * best of a few tries, each into a fresh table, since one short COPY is easily slowed by other
 * work on the machine. Also the CPU its server process spent per 1,000 rows.
 */
async function copyFloor(url: string): Promise<{ perS: number; cpuMsPer1k: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'citycard-copy-'));
  await chmod(dir, 0o777);
  const file = path.join(dir, 'rows.copy');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]?.pid;
    await client.query(`COPY gateway.transactions TO '${file}'`);
    let best = { perS: 0, cpuMsPer1k: Number.NaN };
    for (let i = 0; i < COPY_TRIES; i++) {
      await client.query(
        `CREATE TABLE public.bench_copy_${i} (LIKE gateway.transactions INCLUDING ALL)`,
      );
      const cpuBefore = await cpuSecondsOf(pid);
      const started = performance.now();
      const { rowCount } = await client.query(`COPY public.bench_copy_${i} FROM '${file}'`);
      const seconds = (performance.now() - started) / 1000;
      const copied = rowCount ?? 0;
      const cpuMsPer1k = (((await cpuSecondsOf(pid)) - cpuBefore) * 1e6) / copied;
      if (copied / seconds > best.perS) best = { perS: copied / seconds, cpuMsPer1k };
    }
    return best;
  } finally {
    await client.end();
    await rm(dir, { recursive: true, force: true });
  }
}

const server = await benchDatabase();
const children: ChildProcess[] = [];
const url = await freshDatabase(server.url);
try {
  const kek = randomBytes(32);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    CITYCARD_MODE: 'development',
    CITYCARD_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'citycard-bench-')),
    CITYCARD_KEK: kek.toString('hex'),
    ISSUANCE_PORT: '0',
    GATEWAY_PORT: '0',
    GATEWAY_TERMINAL_RATE_PER_S: '1000000',
    GATEWAY_TERMINAL_BURST: '1000000',
    LOG_LEVEL: 'info',
    CITYCARD_ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
  };
  // Only the two schemas the run uses: the bench does not depend on clearing's migrations.
  const migrator = new pg.Pool({ connectionString: url, max: 1 });
  await migrate(migrator, [issuanceService.migrations, gatewayService.migrations]);
  await migrator.end();
  await run(['staff', 'bootstrap-admin', '--username', 'bench-admin'], env);
  const issuance = await serve('card-issuance', env);
  children.push(issuance.child);
  const seeded = await seedCounterDay(
    issuance.url,
    'bench-admin',
    env.CITYCARD_ADMIN_PASSWORD ?? '',
    cardCount,
  );
  issuance.child.kill('SIGTERM');

  const db = new pg.Pool({ connectionString: url, max: 4 });
  // A run that fails drops its database under this pool: the failure is what gets reported.
  db.on('error', () => undefined);
  const { rows } = await db.query<{ card_number: string; uid: string }>(
    'SELECT card_number, uid FROM issuance.card_contract WHERE card_number = ANY($1)',
    [seeded.cardNumbers],
  );
  const cards: Card[] = rows.map((r) => ({
    cardNumber: r.card_number,
    uid: r.uid,
    counter: 0,
    balanceFen: 90_000,
  }));
  await enrolOperator(db);
  const terminals = await enrolTerminals(db, kek, 'bench-t', terminalCount);
  const onlineTerminals = await enrolTerminals(db, kek, 'bench-o', onlineCount);
  // BENCH_GATEWAY_NODE_OPTIONS (`--import=<a profiler>` and the like) reaches the gateways only.
  const gatewayOptions = process.env.BENCH_GATEWAY_NODE_OPTIONS;
  const gatewayEnv = gatewayOptions === undefined ? env : { ...env, NODE_OPTIONS: gatewayOptions };
  const gateways = await Promise.all(
    Array.from({ length: gatewayCount }, () => serve('transaction-gateway', gatewayEnv)),
  );
  children.push(...gateways.map((g) => g.child));
  [...terminals, ...onlineTerminals].forEach((t, i) => {
    baseOf.set(t.id, (gateways[i % gateways.length] as (typeof gateways)[number]).url);
  });

  const shape = { terminalCount, batchesPerTerminal };
  const batches = new Map(terminals.map((t, i) => [t.id, batchesFor(t, i, cards, shape)]));
  const gatewayPids = gateways.map((g) => g.child.pid);
  const rssOf = async () => Math.max(...(await Promise.all(gatewayPids.map(peakRssMb))));
  const batchStart = await cpuMark(gatewayPids, db);
  const upload = await uploadAll(terminals, batches);
  const batchEnd = await cpuMark(gatewayPids, db);
  const batchCpu = cpuPerUnit(batchStart, batchEnd, upload.records / 1000);
  const copy = await copyFloor(url);
  const gatewayPerS = upload.records / upload.seconds;
  const copyPerS = copy.perS;
  // What the CPU per record allows at best, every core busy and nothing else running.
  const batchCpuMs = cpuMsPerUnit(batchStart, batchEnd, upload.records / 1000);
  const cpuCeilingPerS =
    (availableParallelism() * 1e6) / (batchCpuMs.gateway + batchCpuMs.postgres + batchCpuMs.client);

  const batchRssMb = await rssOf();

  const total = Math.round(singleRate * (singleSeconds + 1)) + 2000;
  const singles = Array.from({ length: total }, (_, i) => {
    const t = onlineTerminals[i % onlineTerminals.length] as Terminal;
    return { t, record: purchase(t, cards[(i * 7) % cards.length] as Card) };
  });
  let next = 0;
  const statuses = new Map<string, number>();
  const single = async (): Promise<Response> => {
    const s = singles[next++] as (typeof singles)[number];
    const res = await post(s.t, '/v1/transactions', s.record).catch((err: unknown) => {
      statuses.set('error', (statuses.get('error') ?? 0) + 1);
      throw err;
    });
    statuses.set(String(res.status), (statuses.get(String(res.status)) ?? 0) + 1);
    return res;
  };
  // Closed loop first (16 clients back to back): what the endpoint sustains on this machine.
  const singleStart = await cpuMark(gatewayPids, db);
  const capacity = await closedLoop(16, 2000, single);
  const singleCpu = cpuPerUnit(singleStart, await cpuMark(gatewayPids, db), 2000);
  // One second warms up; then the open loop at the target rate, where a stall shows in p99.
  await constantRate(singleRate, 1, single);
  const online = await constantRate(singleRate, singleSeconds, single);
  const outcomes = await db.query<{ status: string; n: string }>(
    'SELECT status, count(*)::text AS n FROM gateway.transactions GROUP BY status ORDER BY status',
  );
  const rssMb = await rssOf();
  await db.end();
  printFigures('ingest', {
    gateways: gatewayCount,
    load_average_1m: `${round(loadAtStart, 1)}→${round(loadavg()[0] ?? Number.NaN, 1)}`,
    terminals: terminalCount,
    batches: terminalCount * batchesPerTerminal,
    records: upload.records,
    gateway_records_per_s: round(gatewayPerS, 0),
    copy_records_per_s: round(copyPerS, 0),
    ratio_to_copy: round(gatewayPerS / copyPerS),
    batch_p50_ms: round(upload.p50),
    batch_p99_ms: round(upload.p99),
    batch_cpu_ms_per_1k_records: batchCpu,
    copy_cpu_ms_per_1k_rows: round(copy.cpuMsPer1k),
    cpu_ceiling_records_per_s: round(cpuCeilingPerS, 0),
    // Against COPY on one otherwise idle core: both from CPU time, so other load moves it less.
    cpu_ceiling_ratio_to_copy: round((cpuCeilingPerS * copy.cpuMsPer1k) / 1e6),
    gateway_peak_rss_mb_after_batches: round(batchRssMb, 1),
    gateway_peak_rss_mb: round(rssMb, 1),
    single_capacity_req_per_s: round(capacity.perS, 0),
    single_capacity_p99_ms: round(capacity.p99),
    single_cpu_ms_per_request: singleCpu,
    single_target_req_per_s: singleRate,
    single_achieved_req_per_s: round(online.achievedPerS, 1),
    single_failed: online.failed,
    single_p50_ms: round(online.p50Ms),
    single_p99_ms: round(online.p99Ms),
    single_statuses: [...statuses].map(([k, n]) => `${k}:${n}`).join(' '),
    stored: outcomes.rows.map((r) => `${r.status}:${r.n}`).join(' '),
    goal_ratio: 0.5,
    goal_single_p99_ms: 20,
    goal_met: gatewayPerS / copyPerS >= 0.5 && online.p99Ms <= 20,
  });
} finally {
  closeConnections();
  await Promise.all(children.map((c) => stopChild(c)));
  await dropDatabase(server.url, url);
  await server.stop();
}
