import type { FastifyInstance } from 'fastify';
import { buildConsoleApp } from './console-app.js';
import type { ConsoleOptions } from './options.js';

export interface ConsoleServerOptions extends ConsoleOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly host: string;
}

export interface RunningConsole {
  /** http://host:port, as the browser should open it. */
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<RunningConsole> {
  const app = await buildConsoleApp(options);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = shownHost(options.host);
  return { url: `http://${host}:${port}`, app, close: () => app.close() };
}

/** A wildcard address is where the server listens, not where a browser should go. */
function shownHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
