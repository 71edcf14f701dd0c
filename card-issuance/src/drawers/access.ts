import { AppError } from '@citycard/core/errors';
import type { Role, StaffPrincipal } from '../auth/roles.js';

/** Branches and counters are set up by administrators. */
export const BRANCH_ADMINS: readonly Role[] = ['admin'];
/** Who sees the list of branches: those who set them up, run them or audit them. */
export const BRANCH_READERS: readonly Role[] = ['admin', 'supervisor', 'auditor'];
/** Clerks too, to pick the counter they open a drawer at. */
export const COUNTER_READERS: readonly Role[] = ['admin', 'supervisor', 'auditor', 'clerk'];
/**
 * Whoever does counter work that moves cash keeps a drawer: clerks, and supervisors when they
 * serve at a counter themselves (they may issue, replace and refund cards).
 */
export const DRAWER_KEEPERS: readonly Role[] = ['clerk', 'supervisor'];
/** Drawers of others: supervisors watch long/short, auditors and admins read. */
export const DRAWER_READERS: readonly Role[] = ['supervisor', 'auditor', 'admin'];
/** Corrections and closing an abandoned drawer are a supervisor's call. */
export const DRAWER_SUPERVISORS: readonly Role[] = ['supervisor'];

/**
 * The branch a member of staff is confined to when reading or supervising drawers: supervisors
 * and clerks bound to a branch see only it; auditors and administrators see every branch.
 */
export function branchScope(staff: StaffPrincipal): string | null {
  if (staff.roles.includes('auditor') || staff.roles.includes('admin')) return null;
  return staff.branchId;
}

export function assertInScope(staff: StaffPrincipal, branchId: string): void {
  const scope = branchScope(staff);
  if (scope !== null && scope !== branchId) {
    throw new AppError('BRANCH_OUT_OF_SCOPE', { details: { branchId } });
  }
}
