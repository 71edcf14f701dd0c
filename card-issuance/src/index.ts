export { service } from './service.js';
export { buildApp, type AppDeps } from './app.js';
