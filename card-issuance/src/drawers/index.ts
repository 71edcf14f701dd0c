export {
  recordCashMovement,
  requireOpenDrawer,
  type CashMovementInput,
  type OpenDrawerRef,
} from './drawer.js';
export { cashKinds, type CashKind, type DrawerResult } from './cash.js';
export {
  BRANCH_ADMINS,
  BRANCH_READERS,
  COUNTER_READERS,
  DRAWER_KEEPERS,
  DRAWER_READERS,
  DRAWER_SUPERVISORS,
} from './access.js';
