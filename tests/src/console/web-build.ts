import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const WEB_DIR = join(REPO_ROOT, 'console', 'web');
export const WEB_DIST = join(WEB_DIR, 'dist');

async function newest(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of await readdir(path))
    latest = Math.max(latest, await newest(join(path, entry)));
  return latest;
}

async function builtAt(): Promise<number | undefined> {
  try {
    return (await stat(join(WEB_DIST, 'index.html'))).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Builds the web app when dist/ is missing or older than any of its sources. */
export async function ensureWebBuilt(): Promise<'fresh' | 'built'> {
  const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => join(WEB_DIR, p));
  const changed = Math.max(...(await Promise.all(sources.map(newest))));
  const built = await builtAt();
  if (built !== undefined && built >= changed) return 'fresh';
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  await run(
    process.execPath,
    [vite, 'build', '--config', join(WEB_DIR, 'vite.config.ts'), '--logLevel', 'warn'],
    {
      cwd: REPO_ROOT,
      timeout: 180_000,
    },
  );
  return 'built';
}
