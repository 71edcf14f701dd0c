import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors/index.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { isProcessAlive, LogTail, readPostmasterPid } from './pg-process.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'citycard-runtime-'));
  await chmod(root, 0o755);
});

afterAll(() => rm(root, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAppError(err)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe('postmaster.pid', () => {
  it('reads the pid and the port', async () => {
    const dir = join(root, 'pid');
    await mkdir(dir);
    await writeFile(join(dir, 'postmaster.pid'), '4242\n/data\n1700000000\n5433\n\n127.0.0.1\n');
    expect(await readPostmasterPid(dir)).toEqual({ pid: 4242, port: 5433 });
    await writeFile(join(dir, 'postmaster.pid'), '');
    expect(await readPostmasterPid(dir)).toEqual({ pid: 0, port: 0 });
    expect(await readPostmasterPid(join(root, 'none'))).toBeUndefined();
  });

  it('tells live processes from dead ones', async () => {
    expect(await isProcessAlive(process.pid)).toBe(true);
    expect(await isProcessAlive(0)).toBe(false);
    expect(await isProcessAlive(2 ** 22 + 1)).toBe(false);
  });
});

describe('LogTail', () => {
  it('keeps the last lines only', () => {
    const tail = new LogTail(2);
    tail.push('a\nb');
    tail.push(new Error('c'));
    tail.push('\n');
    expect(tail.text()).toBe('b\nc');
  });
});

describe('startEmbeddedPostgres refuses', () => {
  it('a data dir that holds something else', async () => {
    const dir = join(root, 'foreign');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const err = await failure(startEmbeddedPostgres({ dataDir: dir }));
    expect(err.code).toBe('EMBEDDED_PG_FAILED');
    expect(err.message).toContain('not a PostgreSQL data directory');
  });

  it.runIf(process.getuid?.() === 0)('a data dir the postgres user cannot reach', async () => {
    const locked = join(root, 'locked');
    await mkdir(locked, { mode: 0o700 });
    await chmod(locked, 0o700);
    const err = await failure(startEmbeddedPostgres({ dataDir: join(locked, 'data') }));
    expect(err.code).toBe('EMBEDDED_PG_FAILED');
    expect(err.message).toContain('chmod o+x');
  });
});
