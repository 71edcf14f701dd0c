import type { StaffPrincipal } from '../staff/index.js';

/**
 * Who did it, as runs and the audit log record it: the username (unique regardless of case), so
 * that the CLI, which knows a finance user by name, and the API agree on maker and checker.
 */
export function actorOf(principal: StaffPrincipal): string {
  return principal.username.toLowerCase();
}
