export {
  authenticateStaff,
  staffRoles,
  type StaffPrincipal,
  type StaffRole,
} from './staff-auth.js';
