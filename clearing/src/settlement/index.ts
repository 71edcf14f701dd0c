export {
  allowedActions,
  isTerminal,
  nextState,
  settlementActions,
  settlementStates,
  type SettlementAction,
  type SettlementFacts,
  type SettlementState,
  type TransitionRequest,
} from './state-machine.js';
export {
  parsePaymentFile,
  paymentReference,
  renderPaymentFile,
  type PaymentFile,
  type PaymentLine,
} from './bank-file.js';
export {
  confirmationStatuses,
  matchConfirmation,
  parseConfirmation,
  renderConfirmation,
  type Confirmation,
  type ConfirmationLine,
  type ConfirmationStatus,
  type MatchLine,
  type MatchOutcome,
  type MatchResult,
} from './bank-confirmation.js';
export { fakeBankConfirm, type FakeBankOptions } from './fake-bank.js';
export { appendAudit, auditTrail, verifyAuditChain, type AuditRow } from './audit-log.js';
export { adjustmentsFor, paymentPostings } from './payment-entry.js';
export type { RunHead, RunRef } from './settlement.repository.js';
export {
  abortRun,
  approveRun,
  confirmRun,
  instructRun,
  type ConfirmInput,
  type ConfirmResult,
  type InstructResult,
  type StepInput,
} from './settlement.service.js';
export { getSettlement, paymentFileContent, type SettlementView } from './settlement.query.js';
export { recordAdjustment, type AdjustmentInput } from './adjustments.js';
