export {
  errorHandlerPlugin,
  parseInput,
  fieldIssues,
  type ErrorBody,
  type FieldIssue,
} from './error-handler.js';
export { requestIdFrom } from './request-id.js';
export { createHttpApp, type HttpAppOptions, type ReadinessCheck } from './app.js';
export {
  createRouter,
  type Access,
  type HttpMethod,
  type Principal,
  type RouteDef,
  type RouteInfo,
  type Router,
} from './route.js';
export {
  staffSessionAuthenticator,
  type StaffSessionOptions,
  type StaffSessionPrincipal,
} from './staff-session.js';
