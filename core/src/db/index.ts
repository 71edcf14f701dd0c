export {
  createPool,
  exactTypeParsers,
  type PoolLog,
  type PoolOptions,
  type Queryable,
} from './pool.js';
export { withTransaction, type IsolationLevel, type TransactionOptions } from './transaction.js';
export { isConnectionError, isRetryableTransactionError } from './db-errors.js';
export { type MigrationSource } from './migration-files.js';
export { type MigrationState } from './migration-plan.js';
export {
  migrate,
  migrationStatus,
  type AppliedFile,
  type MigrateLog,
  type MigrateOptions,
  type MigrateResult,
  type MigrationStatusRow,
} from './migrator.js';
export {
  createScratchDatabase,
  type ScratchDatabase,
  type ScratchDatabaseOptions,
} from './scratch-database.js';
