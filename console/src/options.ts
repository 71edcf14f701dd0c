import { AppError } from '@citycard/core/errors';

/** What the console server needs: where the services and the built web app are. */
export interface ConsoleOptions {
  readonly issuanceUrl: string;
  readonly gatewayUrl: string;
  readonly clearingUrl: string;
  /** The built web app (console/web/dist), holding index.html and assets/. */
  readonly webRoot: string;
  /**
   * Origins of the counter reader agents the pages may call (the local daemon on loopback);
   * they go into the Content-Security-Policy's connect-src. Default http://127.0.0.1:8090.
   */
  readonly readerAgentOrigins?: readonly string[];
  readonly logLevel?: string;
  /** How long a proxied service call may take; a clearing run of a busy day takes a while. */
  readonly upstreamTimeoutMs?: number;
}

export const DEFAULT_READER_AGENT_ORIGINS = ['http://127.0.0.1:8090', 'http://localhost:8090'];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A reader agent listens on loopback only, so anything else in the list is a mistake. */
export function readerAgentOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(value);
  }
  const plain = url.pathname === '/' && url.search === '' && url.hash === '';
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname) || !plain) {
    throw invalid(value);
  }
  return url.origin;
}

export function serviceUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('CONFIG_INVALID', { message: `${name}: not a URL` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('CONFIG_INVALID', { message: `${name}: must be http:// or https://` });
  }
  return url.toString().replace(/\/+$/, '');
}

function invalid(value: string): AppError {
  return new AppError('CONFIG_INVALID', {
    message: `Reader agent origin "${value}" must be http://127.0.0.1:<port> or http://localhost:<port>`,
  });
}
