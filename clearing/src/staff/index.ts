export {
  authenticateStaff,
  quoteIdent,
  staffRoles,
  type StaffPrincipal,
  type StaffRole,
} from './authenticate.js';
