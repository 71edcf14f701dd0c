import pg from 'pg';

/**
 * What a data-access function needs to run SQL: both a Pool (autocommit) and a PoolClient inside
 * `withTransaction` satisfy it, so the caller decides the transaction.
 */
export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PoolOptions {
  url: string;
  /** Shown in pg_stat_activity, so a stuck query can be traced to its service. */
  applicationName: string;
  max?: number;
  /** Schemas a service's own queries see unqualified, its own first (e.g. ['issuance', 'public']). */
  searchPath?: readonly string[];
  /** Each statement is stopped by the server after this long (statement_timeout). */
  statementTimeoutMs?: number;
  log?: PoolLog;
}

export interface PoolLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

const TEXT_ARRAY = 1009;
const INT8_ARRAY = 1016;
const NUMERIC_ARRAY = 1231;

/**
 * Amounts are numeric(18,2) and counters may be bigint: both must reach JS as exact decimal
 * strings, never as a float. pg already returns numeric and int8 as strings, but parses numeric[]
 * with parseFloat; these overrides pin all four so a global `pg.types` change elsewhere cannot
 * silently turn money into floats on our pools.
 */
export function exactTypeParsers(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  const asString = (value: string): string => value;
  // pg's typings only accept the scalar builtins; text[]'s parser keeps every element a string.
  const getParser = pg.types.getTypeParser as (
    oid: number,
    format: 'text',
  ) => (value: string) => unknown;
  const stringArray = getParser(TEXT_ARRAY, 'text');
  types.setTypeParser(pg.types.builtins.NUMERIC, asString);
  types.setTypeParser(pg.types.builtins.INT8, asString);
  types.setTypeParser(NUMERIC_ARRAY, stringArray);
  types.setTypeParser(INT8_ARRAY, stringArray);
  return types;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    application_name: options.applicationName,
    max: options.max ?? 10,
    types: exactTypeParsers(),
    ...(options.statementTimeoutMs === undefined
      ? {}
      : { statement_timeout: options.statementTimeoutMs }),
    ...(options.searchPath === undefined
      ? {}
      : { options: `-c search_path=${searchPathValue(options.searchPath)}` }),
  });
  // An idle client losing its connection (server restart, network blip) emits 'error' on the
  // pool; without a listener Node treats it as unhandled and the whole process dies. The pool
  // already discards that client, and the next checkout reconnects.
  pool.on('error', (err) => {
    options.log?.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'idle database client failed',
    );
  });
  return pool;
}

function searchPathValue(schemas: readonly string[]): string {
  for (const schema of schemas) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema))
      throw new Error(`invalid schema name in search path: ${schema}`);
  }
  return schemas.join(',');
}
