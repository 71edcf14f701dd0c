import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { resolveDatabase } from '@citycard/core/runtime';

const repoRoot = resolve(import.meta.dirname, '../../..');

/**
 * Integration tests need a PostgreSQL: DATABASE_URL's server when set, otherwise the embedded one
 * (kept in `.citycard/test-postgres`, or under CITYCARD_TEST_DATA_DIR, so later runs skip initdb).
 * Each run gets a database of its own on that server, dropped at the end, so a run never meets
 * another run's rows or a migration file that has since changed. Workers start after this runs
 * and inherit the URL through the environment.
 */
export default async function setup(): Promise<() => Promise<void>> {
  let stopServer = (): Promise<void> => Promise.resolve();
  let serverUrl = process.env.DATABASE_URL?.trim();
  if (!serverUrl) {
    const dataDir = resolve(
      process.env.CITYCARD_TEST_DATA_DIR ?? resolve(repoRoot, '.citycard'),
      'test-postgres',
    );
    const database = await resolveDatabase({ dataDir });
    serverUrl = database.url;
    stopServer = () => database.stop();
    console.log(
      `integration: DATABASE_URL unset, using embedded PostgreSQL (${dataDir}, ${database.reused})`,
    );
  }
  const name = `citycard_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const previous = process.env.DATABASE_URL;
  process.env.DATABASE_URL = url.toString();
  console.log(`integration: database ${name} on ${url.host}`);
  return async () => {
    await admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    if (previous === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previous;
    await stopServer();
  };
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
