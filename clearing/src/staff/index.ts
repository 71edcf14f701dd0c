export {
  authenticateStaff,
  staffRoles,
  type StaffPrincipal,
  type StaffRole,
} from './authenticate.js';
