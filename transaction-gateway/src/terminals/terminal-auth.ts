import type { FastifyInstance, FastifyReply, FastifyRequest, LogLevel } from 'fastify';
import type { VerifiedCertificate } from '@citycard/core/crypto';
import { AppError } from '@citycard/core/errors';
import { createRouter, type Principal, type Router } from '@citycard/core/http';
import {
  TERMINAL_HEADER,
  ID_PATTERN,
  verifyRequestSignature,
} from '@citycard/terminal-sdk/protocol';
import type { GatewayDeps } from '../deps.js';
import { TerminalCache, type KnownTerminal } from './terminal-cache.js';
import {
  assertCertificateNames,
  assertCurrentCertificate,
  clientCertificateOf,
  isCurrentCertificate,
} from './terminal-cert.js';
import type { TerminalStatus } from './terminal.repository.js';

export type TerminalRole = 'terminal';

/**
 * The enrolled terminal a request proves it comes from: request signature under its MAC key,
 * and on the mutual-TLS listener its current certificate as well.
 */
export interface TerminalPrincipal extends Principal<TerminalRole> {
  /** The terminal id. */
  readonly id: string;
  readonly roles: readonly TerminalRole[];
  readonly operatorId: string;
  readonly macKeyId: string;
  readonly macKey: Buffer;
  readonly status: TerminalStatus;
}

export type TerminalRouter = Router<TerminalRole, TerminalPrincipal>;

const rawBodies = new WeakMap<FastifyRequest, Buffer>();
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const EMPTY = Buffer.alloc(0);

/** The exact bytes of the body as sent (empty without one): the signature covers them. */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return rawBodies.get(request) ?? EMPTY;
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

const caches = new WeakMap<GatewayDeps, TerminalCache>();

/** The process's terminal cache for these deps (ingest re-checks against it before writing). */
export function terminalCacheOf(deps: GatewayDeps): TerminalCache {
  let cache = caches.get(deps);
  if (cache === undefined) {
    cache = new TerminalCache(deps);
    caches.set(deps, cache);
  }
  return cache;
}

const sealedKeys = new WeakMap<TerminalPrincipal, string>();

/** The sealed MAC key the principal was authenticated with, to check it is still the terminal's. */
export function sealedKeyOf(principal: TerminalPrincipal): string | undefined {
  return sealedKeys.get(principal);
}

function principalOf(terminal: KnownTerminal): TerminalPrincipal {
  const principal: TerminalPrincipal = {
    id: terminal.id,
    roles: ['terminal'],
    operatorId: terminal.operatorId,
    macKeyId: terminal.macKeyId,
    macKey: terminal.macKey,
    status: terminal.status,
  };
  sealedKeys.set(principal, terminal.sealedKey);
  return principal;
}

interface Lookup {
  principal: TerminalPrincipal;
  /** Read from the cache: a signature that fails under it is tried once more on a fresh read. */
  cached: boolean;
  /** The client certificate, on the mutual-TLS listener. */
  cert: VerifiedCertificate | undefined;
}

const lookups = new WeakMap<FastifyRequest, Lookup>();

/**
 * First step, in onRequest (before the body is read): the client certificate when the request
 * came over mutual TLS, then the terminal named by the headers and its MAC key. Unknown
 * terminals and terminals without a key get the same answer as a bad signature; a certificate
 * of another terminal, or not the terminal's current one, is refused before the body is read.
 */
function lookUpTerminal(deps: GatewayDeps) {
  const cache = terminalCacheOf(deps);
  const certificateOf = clientCertificateOf(deps);
  return async (request: FastifyRequest): Promise<TerminalPrincipal> => {
    const pending = certificateOf(request);
    const cert = pending instanceof Promise ? await pending : pending;
    const terminalId = headerOf(request, TERMINAL_HEADER);
    if (terminalId === undefined || !ID_PATTERN.test(terminalId)) {
      throw new AppError('UNAUTHENTICATED', { message: 'The request is not signed' });
    }
    if (cert !== undefined) assertCertificateNames(cert, terminalId);
    let { terminal, cached } = await cache.get(terminalId);
    // A kept row may predate the enrolment that issued this certificate.
    if (cached && terminal !== undefined && cert !== undefined) {
      if (!isCurrentCertificate(terminal, cert)) {
        ({ terminal, cached } = await cache.get(terminalId, true));
      }
    }
    if (terminal === undefined) throw new AppError('REQUEST_SIGNATURE_INVALID');
    if (cert !== undefined) assertCurrentCertificate(terminal, cert);
    const principal = principalOf(terminal);
    lookups.set(request, { principal, cached, cert });
    return principal;
  };
}

function checkSignature(deps: GatewayDeps, request: FastifyRequest, principal: TerminalPrincipal) {
  verifyRequestSignature(
    { method: request.method, path: request.url, body: rawBodyOf(request) },
    {
      headers: request.headers,
      macKeyFor: (id) => (id === principal.id ? principal.macKey : undefined),
      now: deps.clock(),
      toleranceMs: deps.settings.requestToleranceSeconds * 1000,
    },
  );
}

/**
 * Second step, once the raw body is in: the signature over method, path, time and body. Only a
 * terminal that proved itself learns that it is disabled. A kept row that fails is read again
 * once (the terminal may have enrolled a new key) before the request is refused.
 */
function verifySignature(deps: GatewayDeps) {
  const cache = terminalCacheOf(deps);
  return async (request: FastifyRequest): Promise<void> => {
    const lookup = lookups.get(request);
    if (lookup === undefined) return; // not a terminal route of this scope
    const { principal } = lookup;
    try {
      checkSignature(deps, request, principal);
    } catch (error) {
      if (!lookup.cached) throw error;
      const { terminal } = await cache.get(principal.id, true);
      if (terminal === undefined) throw error;
      if (lookup.cert !== undefined) assertCurrentCertificate(terminal, lookup.cert);
      // The route already holds this request's principal object: it takes the fresh row.
      Object.assign(principal as Mutable<TerminalPrincipal>, principalOf(terminal));
      sealedKeys.set(principal, terminal.sealedKey);
      checkSignature(deps, request, principal);
    }
    if (principal.status !== 'enrolled') {
      throw new AppError('TERMINAL_DISABLED', { details: { terminalId: principal.id } });
    }
  };
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  // PostgreSQL text and jsonb cannot hold U+0000: refuse it here rather than fail at the write.
  if (text.includes('\\u0000')) {
    throw new AppError('VALIDATION_FAILED', { message: 'The body contains a NUL character' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('VALIDATION_FAILED', { message: 'The body is not valid JSON' });
  }
}

const SEVERITY = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

// A scope's level replaces the app's for its requests: it must never be chattier than the app.
function moreSevere(a: string, b: LogLevel): LogLevel {
  return SEVERITY.indexOf(a) > SEVERITY.indexOf(b) ? (a as LogLevel) : b;
}

/** A refused terminal request (4xx) is worth a line whatever the scope's request log level. */
async function logRefusal(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (reply.statusCode >= 400 && reply.statusCode < 500) {
    request.log.warn(
      {
        terminalId: headerOf(request, TERMINAL_HEADER),
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        responseTime: reply.elapsedTime,
      },
      'terminal request refused',
    );
  }
  await Promise.resolve();
}

/**
 * Registers terminal-facing routes in their own scope: a JSON parser that keeps the raw bytes,
 * the terminal lookup in onRequest and the request-signature check before validation. Routes
 * take `access: ['terminal']` and find the terminal as `principal`. Per-request log lines are at
 * `terminalRequestLogLevel` (default warn: refusals and failures only).
 */
export async function registerTerminalRoutes(
  app: FastifyInstance,
  deps: GatewayDeps,
  register: (router: TerminalRouter) => void,
): Promise<void> {
  const logLevel = moreSevere(app.log.level, deps.settings.terminalRequestLogLevel ?? 'warn');
  await app.register(
    async (scope) => {
      scope.addHook('onResponse', logRefusal);
      // JSON only: any other content type is a 415 before anything else is looked at.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        'application/json',
        { parseAs: 'buffer' },
        (request, body, done) => {
          const bytes = body as Buffer;
          rawBodies.set(request, bytes);
          try {
            done(null, parseJson(bytes));
          } catch (error) {
            done(error as Error, undefined);
          }
        },
      );
      scope.addHook('preValidation', verifySignature(deps));
      register(createRouter<TerminalRole, TerminalPrincipal>(scope, lookUpTerminal(deps)));
      await Promise.resolve();
    },
    { logLevel },
  );
}
