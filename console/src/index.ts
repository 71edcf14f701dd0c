export { buildConsoleApp } from './console-app.js';
export {
  startConsoleServer,
  type ConsoleServerOptions,
  type RunningConsole,
} from './console-server.js';
export {
  consoleEnvSchema,
  consoleOptionsFromEnv,
  DEFAULT_CONSOLE_PORT,
  DEFAULT_WEB_ROOT,
} from './console-env.js';
export { contentSecurityPolicy } from './security-headers.js';
export { DEFAULT_READER_AGENT_ORIGINS, type ConsoleOptions } from './options.js';
