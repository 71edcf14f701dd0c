import { readFile, readdir, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** What the postmaster writes to `<dataDir>/postmaster.pid` (first line pid, fourth line port). */
export interface PostmasterPid {
  pid: number;
  port: number;
}

export async function readPostmasterPid(dataDir: string): Promise<PostmasterPid | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  // A file cut short by a crash during start-up carries no usable pid: treat it as stale.
  return Number.isInteger(pid) && pid > 0
    ? { pid, port: Number.isInteger(port) ? port : 0 }
    : { pid: 0, port: 0 };
}

/**
 * true while `pid` runs. A zombie counts as dead: when the process that spawned the server was
 * killed, the server is re-parented to an init that may never reap it.
 */
export async function isProcessAlive(pid: number): Promise<boolean> {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return true;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/**
 * Live processes whose working directory is `dir` or below. Every PostgreSQL process chdirs into
 * its data directory, so this finds the postmaster and its children even after the pid file is
 * gone. Linux only; elsewhere it finds nothing.
 */
export async function processesIn(dir: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => undefined);
    if (
      cwd !== undefined &&
      (cwd === dir || cwd.startsWith(`${dir}/`)) &&
      (await isProcessAlive(Number(entry)))
    ) {
      found.push(Number(entry));
    }
  }
  return found;
}

export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  stepMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Keeps the last lines the server printed, for the error when it fails to start. */
export class LogTail {
  private readonly lines: string[] = [];

  constructor(private readonly max = 40) {}

  push(message: unknown): void {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.lines.push(line);
      if (this.lines.length > this.max) this.lines.shift();
    }
  }

  text(): string {
    return this.lines.join('\n');
  }
}
