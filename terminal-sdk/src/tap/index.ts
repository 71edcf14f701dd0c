export { performTap, settleTap } from './perform-tap.js';
export { SoftSam, type CardKeySource } from './soft-sam.js';
export {
  MemoryPendingTapStore,
  recordCommittedPending,
  type PendingTap,
  type PendingTapStore,
} from './pending-taps.js';
export { FilePendingTapStore } from './file-pending-store.js';
export { occurredAt } from './tap-charge.js';
export { refusalError } from './tap-steps.js';
export type {
  PerformTapInput,
  RefusalReason,
  TapOutcome,
  TerminalContext,
  TerminalMode,
} from './tap.types.js';
