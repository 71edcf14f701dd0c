export {
  EMBEDDED_DATABASE,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
  type EmbeddedPostgresOptions,
  type EmbeddedReuse,
  type RuntimeLog,
} from './embedded-postgres.js';
export {
  resolveDatabase,
  type ResolveDatabaseOptions,
  type ResolvedDatabase,
} from './resolve-database.js';
