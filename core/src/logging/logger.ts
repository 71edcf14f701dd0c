import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { maskDigitRuns, REDACTED } from './mask.js';
import { classifyKey, redact, redactField } from './redact.js';

export type { Logger };

const { chindingsSym } = pino.symbols;

export interface CreateLoggerOptions {
  readonly name: string;
  /** pino level name: fatal, error, warn, info, debug, trace or silent. Default info. */
  readonly level?: string;
  /** Human-readable lines through pino-pretty when it is installed; JSON lines otherwise. */
  readonly pretty?: boolean;
  /** Where lines go; default stdout. Ignores `pretty`. */
  readonly destination?: DestinationStream;
}

/** Keys whose raw values are left to their serializer, which knows the object (a Fastify request). */
const SERIALIZED_KEYS = ['req', 'res'] as const;

/**
 * pino options with redaction at any depth, usable as is for `pino(options)` and for Fastify's
 * `logger` option. pino's own `redact` paths only reach fixed depths, so every logged object is
 * walked by `redact` in `formatters.log`, before serializers run.
 */
export function loggerOptions(name: string, level = 'info'): LoggerOptions {
  return {
    name,
    level,
    formatters: {
      log: redactLogObject,
      bindings: (bindings) => redact(bindings) as Record<string, unknown>,
    },
    onChild: redactChildBindings,
    serializers: {
      err: (err: unknown) => (err instanceof Error ? redact(err) : err),
      req: serializeRequest,
      res: (res: unknown) => ({ statusCode: readField(res, 'statusCode') }),
    },
  };
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const base = loggerOptions(options.name, options.level ?? 'info');
  if (options.destination !== undefined) return pino(base, options.destination);
  if (options.pretty === true && prettyAvailable()) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(base);
}

function redactLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  const passed: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if ((SERIALIZED_KEYS as readonly string[]).includes(key)) passed[key] = value;
    else rest[key] = value;
  }
  const safe = redact(rest);
  // redact answers a string only when the object could not be walked at all; log that, not the data.
  return typeof safe === 'object' && safe !== null
    ? { ...safe, ...passed }
    : { redaction: safe, ...passed };
}

/**
 * pino applies `formatters.bindings` to the root logger only and stores a child's bindings as a
 * JSON fragment appended to its parent's, so the fragment a child added is re-read and redacted.
 */
function redactChildBindings(child: Logger): void {
  const parent = Object.getPrototypeOf(child) as Logger;
  const own = (child as unknown as Record<symbol, unknown>)[chindingsSym];
  const base = (parent as unknown as Record<symbol, unknown>)[chindingsSym];
  if (typeof own !== 'string' || typeof base !== 'string' || !own.startsWith(base) || own === base)
    return;
  const added = JSON.parse(`{${own.slice(base.length + 1)}}`) as unknown;
  const safe = JSON.stringify(redact(added)).slice(1, -1);
  (child as unknown as Record<symbol, unknown>)[chindingsSym] =
    safe === '' ? base : `${base},${safe}`;
}

function serializeRequest(req: unknown): Record<string, unknown> {
  const socket = readField(req, 'socket');
  const url = readField(req, 'url');
  return {
    method: readField(req, 'method'),
    url: typeof url === 'string' ? redactUrl(url) : undefined,
    host: readField(req, 'host'),
    remoteAddress: readField(req, 'ip') ?? readField(socket, 'remoteAddress'),
    remotePort: readField(socket, 'remotePort'),
  };
}

/** Query parameters follow the same key rules as log fields; long digit runs in the path are PANs. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  const path = maskDigitRuns(at < 0 ? url : url.slice(0, at));
  if (at < 0) return path;
  const params = new URLSearchParams(url.slice(at + 1));
  for (const [key, value] of [...params]) {
    if (classifyKey(key) === 'plain') params.set(key, maskDigitRuns(value));
    else {
      const masked = redactField(key, value);
      params.set(key, typeof masked === 'string' ? masked : REDACTED);
    }
  }
  return `${path}?${params.toString()}`;
}

function readField(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[key];
}

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
