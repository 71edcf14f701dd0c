import type { Router } from '@citycard/core/http';
import type { Role, StaffPrincipal } from './auth/roles.js';

export type IssuanceRouter = Router<Role, StaffPrincipal>;
