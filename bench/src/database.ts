import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDatabase, type ResolvedDatabase } from '@citycard/core/runtime';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** DATABASE_URL when set, else the embedded server in .citycard/bench-postgres. */
export function benchDatabase(): Promise<ResolvedDatabase> {
  return resolveDatabase({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: path.join(repoRoot, '.citycard', 'bench-postgres'),
  });
}
