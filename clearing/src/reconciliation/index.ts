export { reconcileDay, DEFAULT_SOURCES } from './reconcile.js';
export { buildChainCarry } from './chain-carry.sql.js';
export {
  getReconciliation,
  latestReconciliation,
  listExceptions,
  listReconciliations,
} from './reconciliation.repository.js';
export {
  EXCEPTION_KINDS,
  type ExceptionFilter,
  type ExceptionKind,
  type ReconcileInput,
  type Reconciliation,
  type ReconciliationException,
  type ReconciliationSources,
} from './reconciliation.types.js';
