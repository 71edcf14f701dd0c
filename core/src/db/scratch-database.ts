import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { MigrationSource } from './migration-files.js';
import { migrate } from './migrator.js';
import { createPool } from './pool.js';

export interface ScratchDatabaseOptions {
  /** The server to create it on: any database URL of that server. */
  readonly serverUrl: string;
  /** The start of its name (lower case, digits, underscores); a random suffix follows. */
  readonly prefix: string;
  readonly applicationName: string;
  readonly searchPath?: readonly string[];
  /** Applied before it is handed out; a failure drops the database again. */
  readonly migrations?: readonly MigrationSource[];
  readonly max?: number;
}

export interface ScratchDatabase {
  readonly pool: pg.Pool;
  readonly url: string;
  readonly name: string;
  /** Ends the pool and drops the database, whoever else is still connected. */
  close(): Promise<void>;
}

const PREFIX = /^[a-z_][a-z0-9_]{0,40}$/;

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A database of its own on a server, for tests and benches whose work takes every row of a
 * database (a clearing run, a shadow posting): they never share one with anything else.
 */
export async function createScratchDatabase(o: ScratchDatabaseOptions): Promise<ScratchDatabase> {
  if (!PREFIX.test(o.prefix)) throw new Error(`not a database name prefix: ${o.prefix}`);
  const name = `${o.prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await onServer(o.serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(o.serverUrl);
  url.pathname = `/${name}`;
  const pool = createPool({
    url: url.toString(),
    applicationName: o.applicationName,
    ...(o.searchPath === undefined ? {} : { searchPath: o.searchPath }),
    ...(o.max === undefined ? {} : { max: o.max }),
  });
  const close = async (): Promise<void> => {
    await pool.end();
    await onServer(o.serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  if (o.migrations !== undefined) {
    try {
      await migrate(pool, o.migrations);
    } catch (err) {
      await close();
      throw err;
    }
  }
  return { pool, url: url.toString(), name, close };
}
