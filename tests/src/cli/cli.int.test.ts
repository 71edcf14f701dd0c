import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'cli/bin/citycard.js');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function citycard(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the citycard command', () => {
  it('is built (npm test builds it before the tests)', () => {
    expect(existsSync(path.join(repoRoot, 'cli/dist/main.js')), 'run npm run build').toBe(true);
  });

  it('migrates, and a second migrate is a no-op', async () => {
    const first = await citycard(['db', 'migrate']);
    expect(first.code, first.stderr).toBe(0);
    const second = await citycard(['db', 'migrate']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^Nothing to migrate: \d+ migration\(s\) already applied/);
    const status = await citycard(['db', 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^applied +issuance\/0001_schema/m);
    expect(status.stdout).not.toMatch(/^(pending|edited|missing)/m);
  });

  it('reports every configuration problem and exits 78', async () => {
    const res = await citycard(['db', 'status'], {
      DATABASE_URL: 'mysql://nope',
      LOG_LEVEL: 'loud',
    });
    expect(res.code).toBe(78);
    expect(res.stderr).toContain('2 problem(s)');
    expect(res.stderr).toMatch(/DATABASE_URL: must be a URL/);
    expect(res.stderr).toMatch(/LOG_LEVEL/);
  });

  it('exits 64 on a usage error and 69 when the database is unreachable', async () => {
    expect((await citycard(['serve', 'nonsense'])).code).toBe(64);
    expect((await citycard(['no-such-command'])).code).toBe(64);
    const down = await citycard(['db', 'status'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    });
    expect(down.code, down.stderr).toBe(69);
    expect(down.stderr).toContain('DB_UNAVAILABLE');
  });

  it('prints help with the environment and the exit codes', async () => {
    const res = await citycard(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('DATABASE_URL');
    expect(res.stdout).toContain('Exit codes');
  });
});
