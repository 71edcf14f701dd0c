import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPool, migrate, type MigrationSource } from '@citycard/core/db';
import { service } from '../service.js';

// Services never import each other: the harness applies their migrations from the folders.
// src/testing and dist/testing sit at the same depth, so these hold for both.
const folder = (pkg: string): string =>
  fileURLToPath(new URL(`../../../${pkg}/migrations`, import.meta.url));

/** Every migration clearing's contracts rest on, in the order they must be applied. */
export const CLEARING_TEST_MIGRATIONS: readonly MigrationSource[] = [
  { schema: 'issuance', dir: folder('card-issuance') },
  { schema: 'gateway', dir: folder('transaction-gateway') },
  service.migrations,
];

export interface ClearingTestDb {
  /** Connections see clearing first on their search_path; other schemas are named in full. */
  readonly pool: pg.Pool;
  readonly url: string;
  readonly name: string;
  close(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) throw new Error('DATABASE_URL is not set: run the integration project');
  return url;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A database of its own with issuance, gateway and clearing migrated. A clearing run takes every
 * uncleared transaction of the database, so tests never share one; close() drops it.
 */
export async function createClearingTestDb(): Promise<ClearingTestDb> {
  const name = `clearing_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const pool = createPool({
    url: url.toString(),
    applicationName: 'citycard-clearing-test',
    searchPath: ['clearing', 'public'],
  });
  try {
    await migrate(pool, CLEARING_TEST_MIGRATIONS);
  } catch (err) {
    await pool.end();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw err;
  }
  return {
    pool,
    url: url.toString(),
    name,
    async close() {
      await pool.end();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
