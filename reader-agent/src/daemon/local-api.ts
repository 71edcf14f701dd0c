import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AppError } from '@citycard/core/errors';
import type { Logger } from '@citycard/core/logging';
import type { CardSessions } from './card-sessions.js';
import type { EventStreams } from './event-stream.js';
import { corsHeaders, preflightHeaders, type RequestGuard } from './guard.js';
import { errorBody, requestIdOf, sendError, sendJson } from './http-io.js';
import type { ReaderWatch } from './reader-watch.js';

export interface LocalApiDeps {
  readonly guard: () => RequestGuard;
  readonly watch: ReaderWatch;
  readonly sessions: CardSessions;
  readonly streams: EventStreams;
  readonly log: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const READ_ROUTE = /^\/v1\/readers\/([^/]+)\/read$/;
const PLAN_ROUTE = /^\/v1\/readers\/([^/]+)\/plans\/([^/]+)$/;

interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly origin: string | undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError('VALIDATION_FAILED', { message: 'The reader name is not valid' });
  }
}

async function route(deps: LocalApiDeps, call: Call): Promise<void> {
  const { req, res, url, origin } = call;
  const path = url.pathname;
  const headers = corsHeaders(origin);
  const reply = (body: unknown): void => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value ?? '');
    sendJson(res, 200, body);
  };
  if (req.method === 'GET' && path === '/v1/readers') return reply(deps.watch.list());
  if (req.method === 'GET' && path === '/v1/events') {
    return deps.streams.attach(res, headers, deps.watch.list());
  }
  const read = req.method === 'POST' ? READ_ROUTE.exec(path) : null;
  if (read !== null) return reply(await deps.sessions.read(decodeSegment(read[1] ?? '')));
  const plan = req.method === 'POST' ? PLAN_ROUTE.exec(path) : null;
  if (plan !== null) {
    const planId = decodeSegment(plan[2] ?? '');
    if (!UUID.test(planId)) {
      throw new AppError('VALIDATION_FAILED', {
        details: { issues: [{ path: 'params.planId', message: 'a UUID' }] },
      });
    }
    const result = await deps.sessions.runPlan(decodeSegment(plan[1] ?? ''), planId.toLowerCase());
    return reply({ ...result.answer, report: result.report });
  }
  throw new AppError('NOT_FOUND', { message: `No route ${req.method ?? ''} ${path}` });
}

async function handle(
  deps: LocalApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = requestIdOf(req, randomUUID);
  res.setHeader('x-request-id', requestId);
  const started = process.hrtime.bigint();
  // The query may carry the token (EventSource): only the path is ever logged.
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  res.on('finish', () => {
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    deps.log.info(
      { requestId, method: req.method, path: url.pathname, status: res.statusCode, ms },
      'request',
    );
  });
  req.resume();
  let origin: string | undefined;
  try {
    const guard = deps.guard();
    origin = guard.checkSource(req);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, preflightHeaders(origin, req));
      res.end();
      return;
    }
    guard.checkToken(req, url, url.pathname === '/v1/events');
    await route(deps, { req, res, url, origin });
  } catch (err) {
    for (const [name, value] of Object.entries(corsHeaders(origin))) {
      if (!res.headersSent) res.setHeader(name, value ?? '');
    }
    sendError(res, err, requestId, deps.log);
  }
}

export function createLocalApi(deps: LocalApiDeps): Server {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      deps.log.error({ err }, 'local API failure');
      sendJson(res, 500, errorBody(new AppError('INTERNAL'), 'unknown'));
    });
  });
  // A console request (a plan run) can take seconds; idle keep-alive sockets should not linger.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 120_000;
  return server;
}
