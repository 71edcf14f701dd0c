import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors/index.js';

/** One package's migrations: the schema they own and the folder holding `NNNN_snake_name.sql`. */
export interface MigrationSource {
  schema: string;
  dir: string;
}

export interface MigrationFile {
  schema: string;
  version: number;
  /** The snake_case part of the file name, e.g. `create_cards` for `0001_create_cards.sql`. */
  name: string;
  file: string;
  /** sha256 of the file's bytes, hex. */
  checksum: string;
  sql: string;
}

export const META_SCHEMA = 'citycard_meta';

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]*$/;
const FILE_PATTERN = /^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;
const RESERVED_SCHEMAS = new Set([META_SCHEMA, 'public', 'information_schema']);

export function fileNameOf(version: number, name: string): string {
  return `${String(version).padStart(4, '0')}_${name}.sql`;
}

export function validateSchemaName(schema: string): void {
  const problem = !SCHEMA_PATTERN.test(schema)
    ? 'must match /^[a-z_][a-z0-9_]*$/'
    : schema.length > 63
      ? 'is longer than 63 characters'
      : RESERVED_SCHEMAS.has(schema) || schema.startsWith('pg_')
        ? 'is reserved'
        : undefined;
  if (problem) {
    throw new AppError('MIGRATION_NAME_INVALID', {
      message: `Migration schema "${schema}" ${problem}`,
      details: { schema },
    });
  }
}

/** Parses `0001_create_cards.sql`; undefined when the name does not follow the convention. */
export function parseFileName(file: string): { version: number; name: string } | undefined {
  const match = FILE_PATTERN.exec(file);
  if (!match?.[1] || !match[2]) return undefined;
  const version = Number(match[1]);
  return version > 0 ? { version, name: match[2] } : undefined;
}

export function checksumOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every source's files, validated and sorted by version; throws before anything is applied. */
export async function loadMigrations(
  sources: readonly MigrationSource[],
): Promise<MigrationFile[][]> {
  const seen = new Set<string>();
  for (const { schema } of sources) {
    validateSchemaName(schema);
    if (seen.has(schema)) {
      throw new AppError('MIGRATION_NAME_INVALID', {
        message: `Schema "${schema}" is listed by more than one migration source`,
        details: { schema },
      });
    }
    seen.add(schema);
  }
  return Promise.all(sources.map(readSource));
}

async function readSource(source: MigrationSource): Promise<MigrationFile[]> {
  const names = (await listSqlFiles(source.dir)).sort();
  const files: MigrationFile[] = [];
  const byVersion = new Map<number, string>();
  for (const file of names) {
    const parsed = parseFileName(file);
    if (!parsed) {
      throw new AppError('MIGRATION_NAME_INVALID', {
        message: `${source.schema}: "${file}" is not a valid migration name (expected NNNN_snake_name.sql, NNNN >= 0001)`,
        details: { schema: source.schema, file, dir: source.dir },
      });
    }
    const other = byVersion.get(parsed.version);
    if (other !== undefined) {
      throw new AppError('MIGRATION_NAME_INVALID', {
        message: `${source.schema}: "${other}" and "${file}" share version ${parsed.version}`,
        details: { schema: source.schema, files: [other, file], dir: source.dir },
      });
    }
    byVersion.set(parsed.version, file);
    const bytes = await readFile(join(source.dir, file));
    files.push({
      schema: source.schema,
      ...parsed,
      file,
      checksum: checksumOf(bytes),
      sql: bytes.toString('utf8'),
    });
  }
  return files;
}

// A package without a migrations folder simply has nothing to apply; other files (README) are
// allowed beside the SQL.
async function listSqlFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && e.name.endsWith('.sql')).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
