export { service } from './service.js';
export { buildApp, buildGatewayApp, type BuiltGateway } from './app.js';
export {
  DEFAULT_ISSUANCE_SCHEMA,
  defaultGatewaySettings,
  type CertificateAuthority,
  type FareSetLookup,
  type GatewayDeps,
  type GatewaySettings,
} from './deps.js';
