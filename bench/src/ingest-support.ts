import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { percentile } from './figures.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function citycard(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [path.join(repoRoot, 'cli/bin/citycard.js'), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = citycard(args, env);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`citycard ${args.join(' ')} exited ${code}: ${err}`);
}

export function serve(
  service: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string }> {
  const child = citycard(['serve', service], env);
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"listening"/.exec(buffered);
      if (match?.[1] !== undefined) resolve({ child, url: match[1] });
      if (buffered.length > 100_000) buffered = buffered.slice(-10_000);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${buffered.slice(-2000)}`)));
  });
}

export async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `citycard_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database this run made, closing whatever still holds it. */
export async function dropDatabase(serverUrl: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
    name,
  ]);
  await client.query(`DROP DATABASE IF EXISTS ${name}`);
  await client.end();
}

/** SIGTERM, then SIGKILL if the process has not exited within `ms`. */
export async function stopChild(child: ChildProcess, ms = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

export /** `clients` requests in flight at all times until `count` are answered. */
async function closedLoop(clients: number, count: number, request: () => Promise<Response>) {
  const latencies: number[] = [];
  let sent = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (sent < count) {
        sent += 1;
        const t = performance.now();
        const res = await request();
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perS: count / ((performance.now() - started) / 1000), p99: percentile(latencies, 99) };
}

export async function peakRssMb(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

const CLOCK_TICKS_PER_S = 100;

/** User + system CPU seconds a process has used so far (0 once it is gone). */
export async function cpuSecondsOf(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / CLOCK_TICKS_PER_S;
}

/** CPU seconds so far of each server process serving this database (the server is shared). */
export async function backendCpuSeconds(db: pg.Pool): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const out = new Map<number, number>();
  for (const { pid } of rows) out.set(pid, await cpuSecondsOf(pid));
  return out;
}

export interface CpuMark {
  gateway: number;
  /** By backend pid: a backend that appears between two marks counts from zero. */
  backends: Map<number, number>;
  client: number;
}

/** CPU seconds so far of the gateway processes, their database backends and this process. */
export async function cpuMark(
  gatewayPids: readonly (number | undefined)[],
  db: pg.Pool,
): Promise<CpuMark> {
  let gateway = 0;
  for (const pid of gatewayPids) gateway += await cpuSecondsOf(pid);
  const usage = process.cpuUsage();
  return {
    gateway,
    backends: await backendCpuSeconds(db),
    client: (usage.user + usage.system) / 1e6,
  };
}

/** CPU milliseconds per unit between two marks, of the gateways, PostgreSQL and this client. */
export function cpuMsPerUnit(
  from: CpuMark,
  to: CpuMark,
  units: number,
): { gateway: number; postgres: number; client: number } {
  let postgres = 0;
  for (const [pid, seconds] of to.backends) postgres += seconds - (from.backends.get(pid) ?? 0);
  const ms = (seconds: number): number => (1000 * seconds) / units;
  return {
    gateway: ms(to.gateway - from.gateway),
    postgres: ms(postgres),
    client: ms(to.client - from.client),
  };
}

/** CPU milliseconds per unit between two marks, as `gateway/postgres/client`. */
export function cpuPerUnit(from: CpuMark, to: CpuMark, units: number): string {
  const { gateway, postgres, client } = cpuMsPerUnit(from, to, units);
  return `${gateway.toFixed(2)}/${postgres.toFixed(2)}/${client.toFixed(2)}`;
}

// Keep-alive connections shared by every simulated terminal, as a terminal fleet behind NAT.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * POSTs JSON over node:http and answers a fetch Response. The client shares the machine with
 * the gateway and PostgreSQL: fetch costs it about three times the CPU per request.
 */
export function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode })),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function closeConnections(): void {
  agent.destroy();
}
