import type pg from 'pg';
import { AppError } from '../errors/index.js';
import { isConnectionError, toDbError } from './db-errors.js';
import {
  loadMigrations,
  META_SCHEMA,
  type MigrationFile,
  type MigrationSource,
} from './migration-files.js';
import {
  compareSchema,
  pendingFiles,
  type AppliedRow,
  type MigrationState,
} from './migration-plan.js';

export interface AppliedFile {
  schema: string;
  version: number;
  name: string;
  file: string;
  checksum: string;
  durationMs: number;
}

export interface MigrateLog {
  info(obj: Record<string, unknown>, msg: string): void;
}

export interface MigrateOptions {
  log?: MigrateLog;
  onFile?: (applied: AppliedFile) => void;
}

export interface MigrateResult {
  applied: AppliedFile[];
  /** Files that were already applied. */
  skipped: number;
}

export interface MigrationStatusRow {
  schema: string;
  version: number;
  name: string;
  state: MigrationState;
  appliedAt?: Date;
}

// One key for every migration run against a database ('citycard' as a big-endian int64), so
// runs from several processes or packages serialise instead of interleaving.
const LOCK_KEY = '7163384747016680036';
const TABLE = `${META_SCHEMA}.schema_migrations`;

/**
 * Applies every pending file of every source, each in its own transaction with its schema first
 * on the search_path. A file therefore must not BEGIN/COMMIT itself, and statements that cannot
 * run in a transaction (CREATE INDEX CONCURRENTLY) do not belong in a migration.
 */
export async function migrate(
  pool: pg.Pool,
  sources: readonly MigrationSource[],
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const bySource = await loadMigrations(sources);
  return withMigrationLock(pool, options.log, async (client) => {
    await ensureMetaTable(client);
    const rows = await readApplied(client, sources);
    const pending = bySource.flatMap((files, i) => {
      const schema = sources[i]?.schema ?? '';
      return pendingFiles(compareSchema(schema, files, rows.get(schema) ?? []));
    });
    const applied: AppliedFile[] = [];
    for (const file of pending) {
      const done = await applyFile(client, file);
      applied.push(done);
      options.log?.info(
        { schema: done.schema, file: done.file, durationMs: done.durationMs },
        'migration applied',
      );
      options.onFile?.(done);
    }
    const total = bySource.reduce((n, files) => n + files.length, 0);
    return { applied, skipped: total - pending.length };
  });
}

export async function migrationStatus(
  pool: pg.Pool,
  sources: readonly MigrationSource[],
): Promise<MigrationStatusRow[]> {
  const bySource = await loadMigrations(sources);
  const { rows: present } = await pool
    .query<{ present: boolean }>(`SELECT to_regclass('${TABLE}') IS NOT NULL AS present`)
    .catch((err: unknown) => {
      throw toDbError(err);
    });
  const rows = present[0]?.present
    ? await readApplied(pool, sources)
    : new Map<string, AppliedRow[]>();
  return bySource.flatMap((files, i) => {
    const schema = sources[i]?.schema ?? '';
    return compareSchema(schema, files, rows.get(schema) ?? []).map((e) => ({
      schema,
      version: e.version,
      name: e.row?.name ?? e.file?.name ?? '',
      state: e.state,
      ...(e.row ? { appliedAt: e.row.applied_at } : {}),
    }));
  });
}

async function withMigrationLock<T>(
  pool: pg.Pool,
  log: MigrateLog | undefined,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect().catch((err: unknown) => {
    throw toDbError(err);
  });
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS locked',
      [LOCK_KEY],
    );
    if (!rows[0]?.locked) {
      log?.info({}, 'another migration run holds the lock; waiting');
      await client.query('SELECT pg_advisory_lock($1::bigint)', [LOCK_KEY]);
    }
    try {
      return await fn(client);
    } finally {
      broken = await unlock(client);
    }
  } catch (err) {
    throw toDbError(err);
  } finally {
    // Destroying the connection also frees a session lock that could not be released cleanly.
    client.release(broken);
  }
}

async function unlock(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [LOCK_KEY]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error('advisory unlock failed');
  }
}

async function ensureMetaTable(client: pg.PoolClient): Promise<void> {
  await client.query(`
    CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
    CREATE TABLE IF NOT EXISTS ${TABLE} (
      schema      text        NOT NULL,
      version     int         NOT NULL,
      name        text        NOT NULL,
      checksum    text        NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now(),
      duration_ms int         NOT NULL,
      PRIMARY KEY (schema, version)
    )`);
}

async function readApplied(db: pg.Pool | pg.PoolClient, sources: readonly MigrationSource[]) {
  const { rows } = await db.query<AppliedRow>(
    `SELECT schema, version, name, checksum, applied_at FROM ${TABLE}
      WHERE schema = ANY($1::text[]) ORDER BY schema, version`,
    [sources.map((s) => s.schema)],
  );
  const bySchema = new Map<string, AppliedRow[]>();
  for (const row of rows) bySchema.set(row.schema, [...(bySchema.get(row.schema) ?? []), row]);
  return bySchema;
}

async function applyFile(client: pg.PoolClient, file: MigrationFile): Promise<AppliedFile> {
  const started = performance.now();
  await client.query('BEGIN');
  try {
    // Schema names were validated against /^[a-z_][a-z0-9_]*$/, so they are safe as identifiers.
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${file.schema}`);
    await client.query(`SET LOCAL search_path TO ${file.schema}, public`);
    await client.query(file.sql);
    const durationMs = Math.round(performance.now() - started);
    await client.query(
      `INSERT INTO ${TABLE} (schema, version, name, checksum, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
      [file.schema, file.version, file.name, file.checksum, durationMs],
    );
    await client.query('COMMIT');
    const { schema, version, name, checksum } = file;
    return { schema, version, name, file: file.file, checksum, durationMs };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw isConnectionError(err) ? toDbError(err) : failedError(file, err);
  }
}

function failedError(file: MigrationFile, err: unknown): AppError {
  const pgErr = err as {
    message?: string;
    code?: string;
    position?: string;
    detail?: string;
    hint?: string;
  };
  const position = Number(pgErr.position);
  const line = position > 0 ? file.sql.slice(0, position - 1).split('\n').length : undefined;
  const where = line ? ` (line ${line})` : '';
  return new AppError('MIGRATION_FAILED', {
    message: `${file.schema}/${file.file} failed and was rolled back${where}: ${pgErr.message ?? String(err)}`,
    details: {
      schema: file.schema,
      file: file.file,
      sqlState: pgErr.code,
      line,
      detail: pgErr.detail,
      hint: pgErr.hint,
    },
    cause: err,
  });
}
