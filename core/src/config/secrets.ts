import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Mode } from './fragments.js';

export interface SecretNotice {
  readonly variable: string;
  readonly file: string;
}

/**
 * In development and demo modes a missing secret is generated once and kept in the data
 * directory (mode 0600) so that restarts keep working; in production nothing is generated and
 * the config schema reports the variable as missing. The caller prints the notices.
 */
export async function fillDevelopmentSecrets(
  env: Record<string, string | undefined>,
  mode: Mode,
  dataDir: string,
  variables: readonly string[],
): Promise<{ env: Record<string, string | undefined>; generated: SecretNotice[] }> {
  if (mode === 'production') return { env, generated: [] };
  const missing = variables.filter((v) => env[v] === undefined || env[v] === '');
  if (missing.length === 0) return { env, generated: [] };
  const file = path.join(dataDir, 'development-secrets.json');
  const stored = await readStored(file);
  const generated: SecretNotice[] = [];
  for (const variable of missing) {
    if (stored[variable] === undefined) {
      stored[variable] = randomBytes(32).toString('hex');
      generated.push({ variable, file });
    }
  }
  if (generated.length > 0) {
    await mkdir(dataDir, { recursive: true, mode: 0o755 });
    await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  const filled = { ...env };
  for (const variable of missing) filled[variable] = stored[variable];
  return { env: filled, generated };
}

async function readStored(file: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}
