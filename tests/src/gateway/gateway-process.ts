import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyEncryptionKey } from '@citycard/core/crypto';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const childScript = path.join(here, 'gateway-child.ts');

export interface GatewayProcessOptions {
  readonly databaseUrl: string;
  readonly port: number;
  readonly schema: string;
  readonly contractSchema: string;
  readonly kek: KeyEncryptionKey;
  /** Passed on as CHILD_ANSWER_DELAY_MS (see gateway-child.ts). */
  readonly answerDelayMs?: number;
  /** How long a process may take to load or to start listening. */
  readonly startTimeoutMs?: number;
}

/** A port nobody listens on now; the gateway processes take it one after another. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** One gateway child process, its stdout read line by line. */
class GatewayChild {
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
  #lines: string[] = [];
  #stderr = '';
  #waiters: (() => void)[] = [];

  constructor(options: GatewayProcessOptions) {
    // Workspace packages from their sources, as the tests see them (never a stale dist/).
    this.process = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', childScript],
      {
        cwd: repoRoot,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          ...process.env,
          DATABASE_URL: options.databaseUrl,
          CHILD_PORT: String(options.port),
          CHILD_SCHEMA: options.schema,
          CHILD_CONTRACT_SCHEMA: options.contractSchema,
          CHILD_KEK_ID: options.kek.id,
          CHILD_KEK: options.kek.key.toString('base64'),
          CHILD_ANSWER_DELAY_MS: String(options.answerDelayMs ?? 0),
        },
      },
    );
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()));
    let partial = '';
    this.process.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      this.#lines.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    void this.exited.then(() => {
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Resolves with the first stdout line starting with `prefix`. */
  async waitFor(prefix: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.#lines.find((l) => l.startsWith(prefix));
      if (line !== undefined) return line;
      if (!this.alive) throw new Error(`gateway child exited before "${prefix}": ${this.#stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`gateway child: no "${prefix}" in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async kill(): Promise<void> {
    if (this.alive) this.process.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * The gateway as a sequence of processes on one port: `start` makes one listen, `kill` ends it
 * with SIGKILL. A standby process is loaded in advance, so a restart costs the app's start only.
 */
export class GatewayProcesses {
  readonly #options: GatewayProcessOptions;
  readonly #all: GatewayChild[] = [];
  #standby: GatewayChild | undefined;
  #current: GatewayChild | undefined;
  killed = 0;
  /** How long each start took, from the `listen` order to the first request it could take. */
  readonly startMs: number[] = [];

  constructor(options: GatewayProcessOptions) {
    this.#options = options;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#options.port}`;
  }

  #spawn(): GatewayChild {
    const child = new GatewayChild(this.#options);
    this.#all.push(child);
    return child;
  }

  async start(): Promise<void> {
    if (this.#current?.alive === true) throw new Error('a gateway process is already running');
    const timeout = this.#options.startTimeoutMs ?? 30_000;
    const child = this.#standby ?? this.#spawn();
    this.#standby = undefined;
    await child.waitFor('loaded', timeout);
    const ordered = Date.now();
    child.process.stdin?.write('listen\n');
    await child.waitFor('listening ', timeout);
    this.#current = child;
    this.startMs.push(Date.now() - ordered);
    this.#standby = this.#spawn();
  }

  /** SIGKILL, wherever the running process is: mid-request, mid-transaction, idle. */
  async kill(): Promise<void> {
    const child = this.#current;
    this.#current = undefined;
    if (child === undefined) return;
    await child.kill();
    this.killed += 1;
  }

  /** Every process this test started, by its PID, running or standing by. */
  async stopAll(): Promise<void> {
    this.#current = undefined;
    this.#standby = undefined;
    await Promise.all(this.#all.map((c) => c.kill()));
  }
}
