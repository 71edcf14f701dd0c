import type { Role, StaffPrincipal } from '../auth/roles.js';

/** Who is acting, for which request, at what time (the injected clock, so holds can be tested). */
export interface ActionContext {
  readonly staff: StaffPrincipal;
  readonly requestId: string;
  readonly now: Date;
}

/** Counter work on cards: issue, activate, freeze, report lost, replace, refund. */
export const CARD_CLERKS: readonly Role[] = ['clerk', 'supervisor'];
/** Blocking and cancelling need a supervisor. */
export const CARD_SUPERVISORS: readonly Role[] = ['supervisor'];
/** Card views show a masked cardholder: the same readers as cardholders. */
export const CARD_READERS: readonly Role[] = ['clerk', 'supervisor', 'auditor'];
export const STOCK_IMPORTERS: readonly Role[] = ['admin', 'supervisor'];
export const PRODUCT_ADMINS: readonly Role[] = ['admin'];
export const HOTLIST_READERS: readonly Role[] = ['supervisor', 'auditor', 'admin'];
