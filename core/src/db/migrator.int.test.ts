import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { isAppError } from '../errors/index.js';
import { createPool, migrate, migrationStatus, type MigrationSource } from './index.js';

let pool: pg.Pool;
const schemas: string[] = [];
const dirs: string[] = [];

beforeAll(() => {
  pool = createPool({
    url: process.env.DATABASE_URL ?? '',
    applicationName: 'citycard-test-migrator',
    max: 6,
  });
});

afterAll(async () => {
  for (const schema of schemas) {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.query('DELETE FROM citycard_meta.schema_migrations WHERE schema = $1', [schema]);
  }
  await pool.end();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh schema name and an empty migrations folder holding the given files. */
async function source(files: Record<string, string>): Promise<MigrationSource> {
  const schema = `mig_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const dir = await mkdtemp(join(tmpdir(), 'citycard-migrations-'));
  schemas.push(schema);
  dirs.push(dir);
  await writeFiles(dir, files);
  return { schema, dir };
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
}

async function tableExists(schema: string, table: string): Promise<boolean> {
  const { rows } = await pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
    `${schema}.${table}`,
  ]);
  return rows[0]?.t !== null;
}

async function rejection(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAppError(err)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe('migrate', () => {
  it('applies files in version order inside their schema, and a second run does nothing', async () => {
    const src = await source({
      '0002_add_balance.sql':
        'ALTER TABLE cards ADD COLUMN balance numeric(18,2) NOT NULL DEFAULT 0;',
      '0001_create_cards.sql': 'CREATE TABLE cards (id bigint PRIMARY KEY);',
      '0010_seed.sql': "INSERT INTO cards (id, balance) VALUES (1, '12.50');",
      'README.md': 'not a migration',
    });
    const first = await migrate(pool, [src]);
    expect(first.applied.map((f) => f.file)).toEqual([
      '0001_create_cards.sql',
      '0002_add_balance.sql',
      '0010_seed.sql',
    ]);
    expect(first.skipped).toBe(0);
    const { rows } = await pool.query<{ balance: string }>(
      `SELECT balance FROM ${src.schema}.cards`,
    );
    expect(rows).toEqual([{ balance: '12.50' }]);

    const second = await migrate(pool, [src]);
    expect(second).toEqual({ applied: [], skipped: 3 });
  });

  it('refuses an edited file, naming both checksums, and applies nothing', async () => {
    const src = await source({
      '0001_create_cards.sql': 'CREATE TABLE cards (id bigint PRIMARY KEY);',
    });
    const [applied] = (await migrate(pool, [src])).applied;
    await writeFiles(src.dir, {
      '0001_create_cards.sql': 'CREATE TABLE cards (id bigint PRIMARY KEY, extra text);',
      '0002_more.sql': 'CREATE TABLE more (id int);',
    });
    const err = await rejection(migrate(pool, [src]));
    expect(err.code).toBe('MIGRATION_EDITED');
    expect(err.message).toContain(`${src.schema}/0001_create_cards.sql`);
    expect(err.message).toContain(applied?.checksum);
    expect(err.details?.fileChecksum).toMatch(/^[0-9a-f]{64}$/);
    expect(err.details?.fileChecksum).not.toBe(applied?.checksum);
    expect(await tableExists(src.schema, 'more')).toBe(false);
  });

  it('rolls back a failing file, reports the PostgreSQL message and runs nothing after it', async () => {
    const src = await source({
      '0001_ok.sql': 'CREATE TABLE a (id int);',
      '0002_broken.sql': 'CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nSELEC 1;',
      '0003_later.sql': 'CREATE TABLE c (id int);',
    });
    const err = await rejection(migrate(pool, [src]));
    expect(err.code).toBe('MIGRATION_FAILED');
    expect(err.message).toContain('0002_broken.sql');
    expect(err.message).toContain('syntax error at or near "SELEC"');
    expect(err.details?.line).toBe(3);
    expect(await tableExists(src.schema, 'a')).toBe(true);
    expect(await tableExists(src.schema, 'b')).toBe(false);
    expect(await tableExists(src.schema, 'c')).toBe(false);
    const status = await migrationStatus(pool, [src]);
    expect(status.map((s) => s.state)).toEqual(['applied', 'pending', 'pending']);
  });

  it('applies each file exactly once when two runs race', async () => {
    const src = await source({
      '0001_t.sql': 'CREATE TABLE t (id int); SELECT pg_sleep(0.2);',
      '0002_u.sql': 'CREATE TABLE u (id int);',
    });
    const [a, b] = await Promise.all([migrate(pool, [src]), migrate(pool, [src])]);
    const files = [...(a?.applied ?? []), ...(b?.applied ?? [])].map((f) => f.file).sort();
    expect(files).toEqual(['0001_t.sql', '0002_u.sql']);
    expect((a?.skipped ?? 0) + (b?.skipped ?? 0)).toBe(2);
  });

  it('rejects bad names and duplicate versions before touching the database', async () => {
    const bad = await source({ '1_create.sql': 'SELECT 1;' });
    expect((await rejection(migrate(pool, [bad]))).code).toBe('MIGRATION_NAME_INVALID');
    const dup = await source({ '0001_a.sql': 'SELECT 1;', '0001_b.sql': 'SELECT 1;' });
    expect((await rejection(migrate(pool, [dup]))).code).toBe('MIGRATION_NAME_INVALID');
    const schema = await source({});
    const invalid = { ...schema, schema: 'Bad-Schema' };
    expect((await rejection(migrate(pool, [invalid]))).code).toBe('MIGRATION_NAME_INVALID');
  });

  it('refuses a new file numbered below an applied one', async () => {
    const src = await source({ '0002_b.sql': 'SELECT 1;' });
    await migrate(pool, [src]);
    await writeFiles(src.dir, { '0001_a.sql': 'SELECT 1;' });
    expect((await rejection(migrate(pool, [src]))).code).toBe('MIGRATION_OUT_OF_ORDER');
  });
});

describe('migrationStatus', () => {
  it('lists pending, applied, edited and missing files', async () => {
    const src = await source({
      '0001_a.sql': 'SELECT 1;',
      '0002_b.sql': 'SELECT 2;',
      '0003_c.sql': 'SELECT 3;',
    });
    expect((await migrationStatus(pool, [src])).map((s) => s.state)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    await migrate(pool, [src]);
    await writeFiles(src.dir, { '0002_b.sql': 'SELECT 22;', '0004_d.sql': 'SELECT 4;' });
    await unlink(join(src.dir, '0003_c.sql'));
    const status = await migrationStatus(pool, [src]);
    expect(status.map(({ version, name, state }) => ({ version, name, state }))).toEqual([
      { version: 1, name: 'a', state: 'applied' },
      { version: 2, name: 'b', state: 'edited' },
      { version: 3, name: 'c', state: 'missing' },
      { version: 4, name: 'd', state: 'pending' },
    ]);
    expect(status[0]?.appliedAt).toBeInstanceOf(Date);
    expect(status[3]?.appliedAt).toBeUndefined();
    expect((await rejection(migrate(pool, [src]))).code).toBe('MIGRATION_EDITED');
  });

  it('reports a vanished applied file as MIGRATION_MISSING on migrate', async () => {
    const src = await source({ '0001_a.sql': 'SELECT 1;' });
    await migrate(pool, [src]);
    await chmod(src.dir, 0o755);
    await unlink(join(src.dir, '0001_a.sql'));
    const err = await rejection(migrate(pool, [src]));
    expect(err.code).toBe('MIGRATION_MISSING');
    expect(err.message).toContain('0001_a.sql');
  });
});
