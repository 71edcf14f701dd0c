export { registerRegistryRoutes, type AdminContext, type StaffRouter } from './registry.routes.js';
export { registerPublishRoutes } from './publish.routes.js';
export { nextStatus, type TerminalCommand } from './registry.repository.js';
