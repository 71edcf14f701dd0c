import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ReaderHub } from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import type { Logger } from '@citycard/core/logging';
import { CardSessions, type PlanRunner } from './card-sessions.js';
import { EventStreams } from './event-stream.js';
import { EventBus } from './events.js';
import { RequestGuard } from './guard.js';
import type { IssuanceApi } from './issuance-client.js';
import { createLocalApi } from './local-api.js';
import { ReaderWatch } from './reader-watch.js';
import { ReportSpool } from './report-spool.js';
import { removeTokenFile, writeTokenFile } from './token-file.js';

export const DEFAULT_AGENT_PORT = 8090;
const LOOPBACK = '127.0.0.1';

export interface ReaderAgentOptions {
  readonly hub: ReaderHub;
  readonly issuance: IssuanceApi;
  readonly runPlan: PlanRunner;
  readonly log: Logger;
  /** Default 8090; 0 picks a free port (tests). */
  readonly port?: number;
  /** Origins of the console pages that may call the API, e.g. http://localhost:5173. */
  readonly allowedOrigins: readonly string[];
  readonly tokenFile: string;
  readonly spoolFile: string;
  readonly reportRetryMinMs?: number;
  /** How long a stop waits for card sessions in progress. Default 15 s. */
  readonly drainMs?: number;
}

export interface RunningReaderAgent {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly tokenFile: string;
  /** Kept in memory for the process that started the agent (tests, the demo); never logged. */
  readonly token: string;
  readonly spool: ReportSpool;
  /** Stops taking requests, lets card sessions finish, keeps undelivered reports on disk. */
  close(): Promise<void>;
}

/** Starts the counter daemon's local API (loopback only) over a reader hub. */
export async function startReaderAgent(options: ReaderAgentOptions): Promise<RunningReaderAgent> {
  const { log } = options;
  const bus = new EventBus();
  const spool = new ReportSpool({
    file: options.spoolFile,
    send: (report) => options.issuance.report(report),
    log,
    bus,
    ...(options.reportRetryMinMs === undefined ? {} : { retryMinMs: options.reportRetryMinMs }),
  });
  await spool.load();
  const watch = new ReaderWatch(options.hub, bus, log);
  const sessions = new CardSessions({
    watch,
    issuance: options.issuance,
    spool,
    bus,
    log,
    runPlan: options.runPlan,
  });
  const streams = new EventStreams(bus);
  const token = await writeTokenFile(options.tokenFile);
  // The Host check needs the port, known only once listening (port 0 in tests).
  const state: { guard?: RequestGuard } = {};
  const server = createLocalApi({
    guard: () => {
      if (state.guard === undefined) throw new Error('local API not listening yet');
      return state.guard;
    },
    watch,
    sessions,
    streams,
    log,
  });
  let port: number;
  try {
    port = await listen(server, options.port ?? DEFAULT_AGENT_PORT);
  } catch (err) {
    watch.close();
    await spool.close();
    await removeTokenFile(options.tokenFile);
    throw listenError(err, options.port ?? DEFAULT_AGENT_PORT);
  }
  state.guard = new RequestGuard({ port, allowedOrigins: options.allowedOrigins, token });
  const url = `http://${LOOPBACK}:${port}`;
  log.info(
    { url, tokenFile: options.tokenFile, origins: options.allowedOrigins },
    'reader agent listening',
  );

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    streams.closeAll();
    await within(sessions.idle(), options.drainMs ?? 15_000);
    // Let the answers of the sessions that just finished reach their sockets first.
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.closeAllConnections();
    await stopped;
    watch.close();
    if (spool.list().length > 0) await within(spool.flush(), 5_000);
    await spool.close();
    const left = spool.list().length;
    if (left > 0)
      log.warn({ reports: left, file: options.spoolFile }, 'reports kept for next start');
    await removeTokenFile(options.tokenFile);
    log.info('reader agent stopped');
  };
  return {
    url,
    port,
    tokenFile: options.tokenFile,
    token,
    spool,
    close: () => (closing ??= close()),
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function listenError(err: unknown, port: number): unknown {
  if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') return err;
  return new AppError('SERVICE_UNAVAILABLE', {
    message: `Port ${port} on ${LOOPBACK} is taken (another reader agent?); choose one with --port`,
    details: { port },
  });
}

/** Waits for `work`, but no longer than `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
