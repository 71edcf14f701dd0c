import { resolve } from 'node:path';
import { resolveDatabase } from '@citycard/core/runtime';

const repoRoot = resolve(import.meta.dirname, '../../..');

/**
 * Integration tests need a PostgreSQL. With DATABASE_URL set they use it as is; without it they
 * get the embedded server, kept in `.citycard/test-postgres` (or under CITYCARD_TEST_DATA_DIR) so later runs skip initdb. Workers
 * start after this runs and inherit the URL through the environment.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.DATABASE_URL?.trim()) return undefined;
  const dataDir = resolve(process.env.CITYCARD_TEST_DATA_DIR ?? resolve(repoRoot, '.citycard'), 'test-postgres');
  const database = await resolveDatabase({ dataDir });
  process.env.DATABASE_URL = database.url;
  const { port } = new URL(database.url);
  console.log(
    `integration: DATABASE_URL unset, using embedded PostgreSQL on 127.0.0.1:${port} (${dataDir}, ${database.reused})`,
  );
  return async () => {
    await database.stop();
    delete process.env.DATABASE_URL;
  };
}
