import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './index.js';
import { isProcessAlive, processesIn, readPostmasterPid, waitUntil } from './pg-process.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
let root: string;
let dataDir: string;
const handles: EmbeddedPostgresHandle[] = [];

beforeAll(async () => {
  // mkdtemp makes a 0700 folder, which the postgres user could not enter.
  root = await mkdtemp(join(tmpdir(), 'citycard-embedded-pg-'));
  await chmod(root, 0o755);
  dataDir = join(root, 'data');
});

afterAll(async () => {
  await Promise.allSettled(handles.map((h) => h.stop()));
  await rm(root, { recursive: true, force: true });
});

async function start(): Promise<EmbeddedPostgresHandle> {
  const handle = await startEmbeddedPostgres({ dataDir });
  handles.push(handle);
  return handle;
}

async function sql<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

const ids = async (url: string) =>
  (await sql<{ id: number }>(url, 'SELECT id FROM t ORDER BY id')).map((r) => r.id);

/** Starts the server from another Node process and leaves it running when that process dies. */
async function startInChildThenKillIt(): Promise<string> {
  const code = [
    'const { startEmbeddedPostgres } = await import(process.env.EMBEDDED_MODULE);',
    'const pg = await startEmbeddedPostgres({ dataDir: process.env.EMBEDDED_DATA_DIR });',
    'console.log(JSON.stringify({ url: pg.url }));',
    'setInterval(() => {}, 60_000);',
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: repoRoot,
    env: {
      ...process.env,
      EMBEDDED_MODULE: join(import.meta.dirname, 'index.ts'),
      EMBEDDED_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const { url } = JSON.parse(line) as { url: string };
  await sql(url, 'INSERT INTO t VALUES (2)');
  child.kill('SIGKILL');
  await once(child, 'exit');
  return url;
}

describe('startEmbeddedPostgres', () => {
  it('initialises a fresh data dir, then reuses its data and port', async () => {
    const first = await start();
    expect(first.reused).toBe('fresh');
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/citycard$/);
    await sql(first.url, 'CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)');
    await first.stop();
    expect(await processesIn(dataDir)).toEqual([]);

    const second = await start();
    expect(second.reused).toBe('existing-data');
    expect(second.port).toBe(first.port);
    expect(await ids(second.url)).toEqual([1]);
    await second.stop();
  });

  it('adopts the server a killed process left running, with its data', async () => {
    const url = await startInChildThenKillIt();
    const pidFile = await readPostmasterPid(dataDir);
    expect(pidFile && (await isProcessAlive(pidFile.pid))).toBe(true);

    const adopted = await start();
    expect(adopted.reused).toBe('running-server');
    expect(adopted.url).toBe(url);
    expect(await ids(adopted.url)).toEqual([1, 2]);
    await adopted.stop();
    expect(await processesIn(dataDir)).toEqual([]);
  });

  it('recovers after the server itself is killed', async () => {
    const running = await start();
    await sql(running.url, 'INSERT INTO t VALUES (3)');
    const pid = (await readPostmasterPid(dataDir))?.pid ?? 0;
    process.kill(pid, 'SIGKILL');
    expect(await waitUntil(async () => !(await isProcessAlive(pid)), 5_000)).toBe(true);
    await running.stop();

    const restarted = await start();
    expect(restarted.reused).toBe('existing-data');
    expect(await ids(restarted.url)).toEqual([1, 2, 3]);
    await restarted.stop();
    expect(await processesIn(dataDir)).toEqual([]);
  });

  it('reports a server that cannot start with the tail of its log', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const err: unknown = await startEmbeddedPostgres({ dataDir, port }).catch((e: unknown) => e);
    blocker.close();
    expect(isAppError(err) && err.code).toBe('EMBEDDED_PG_FAILED');
    expect((err as Error).message).toContain('could not bind');
    expect(await processesIn(dataDir)).toEqual([]);
  });
});
