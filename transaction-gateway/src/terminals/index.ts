export {
  rawBodyOf,
  registerTerminalRoutes,
  sealedKeyOf,
  terminalCacheOf,
  type TerminalPrincipal,
  type TerminalRole,
  type TerminalRouter,
} from './terminal-auth.js';
export {
  TERMINAL_STATUSES,
  findTerminal,
  macKeyAad,
  type TerminalRow,
  type TerminalStatus,
} from './terminal.repository.js';
export {
  TERMINAL_CACHE_MS,
  TerminalCache,
  assertStillCurrent,
  type CurrentTerminal,
  type KnownTerminal,
} from './terminal-cache.js';
export {
  assertCertificateNames,
  assertCurrentCertificate,
  clientCertificateOf,
  isCurrentCertificate,
} from './terminal-cert.js';
export {
  createGatewayTlsListener,
  startGatewayTlsListener,
  type GatewayTls,
  type GatewayTlsListener,
  type GatewayTlsStartOptions,
} from './tls-listener.js';
export { gatewayTlsEnv } from './tls-env.js';
