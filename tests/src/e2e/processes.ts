import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'cli/bin/citycard.js');

export type Env = Readonly<Record<string, string>>;

/** Loading a service is seconds on an idle machine; a busy CI machine may take many more. */
export const START_TIMEOUT_MS = 120_000;

/** Keeps the last lines a process wrote, to show when something it does goes wrong. */
class Tail {
  readonly #lines: string[] = [];
  #partial = '';
  readonly #waiters: (() => void)[] = [];

  push(chunk: string): void {
    const parts = (this.#partial + chunk).split('\n');
    this.#partial = parts.pop() ?? '';
    this.#lines.push(...parts);
    if (this.#lines.length > 400) this.#lines.splice(0, this.#lines.length - 400);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  find(test: (line: string) => boolean): string | undefined {
    return this.#lines.find(test);
  }

  wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  text(last = 40): string {
    return this.#lines.slice(-last).join('\n');
  }
}

/** One `citycard` process of the city, started and stopped by its PID. */
export class CityProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly #out = new Tail();

  constructor(
    readonly name: string,
    args: readonly string[],
    env: Env,
  ) {
    this.child = spawn(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        this.#out.wake();
        resolve(code);
      });
    });
    this.child.stdout?.setEncoding('utf8').on('data', (c: string) => this.#out.push(c));
    this.child.stderr?.setEncoding('utf8').on('data', (c: string) => this.#out.push(c));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first line of its output that passes `test`, waiting for it up to `timeoutMs`. */
  async line(test: (line: string) => boolean, what: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.#out.find(test);
      if (found !== undefined) return found;
      if (!this.alive) throw this.failure(`exited before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw this.failure(`no ${what} within ${timeoutMs} ms`);
      await this.#out.changed(left);
    }
  }

  failure(what: string): Error {
    return new Error(`${this.name} ${what}; its last output:\n${this.#out.text()}`);
  }

  output(): string {
    return this.#out.text(400);
  }

  /** SIGTERM, then SIGKILL if it has not gone within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Runs a short `citycard` command to its end; rejects with its output unless it exits 0. */
export async function citycard(args: readonly string[], env: Env): Promise<string> {
  const p = new CityProcess(`citycard ${args.join(' ')}`, args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 60_000);
  const code = await p.exited;
  clearTimeout(timer);
  if (code !== 0) throw p.failure(`exited ${String(code)}`);
  return p.output();
}

/** Resolves once `url` answers 200 (a service's /readyz), while the process lives. */
export async function untilReady(
  p: CityProcess,
  url: string,
  timeoutMs = START_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!p.alive) throw p.failure('exited while starting');
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw p.failure(`not ready at ${url} within ${timeoutMs} ms`);
}

/** Resolves once something accepts TCP connections on the port (a TLS listener). */
export async function untilListening(port: number, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}
