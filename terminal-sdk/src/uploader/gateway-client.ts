import { AppError, isErrorCode } from '@citycard/core/errors';
import type { z } from 'zod';
import { errorResponseSchema, signRequest } from '../protocol/index.js';
import type { FetchLike, FetchResponseLike } from './fetch-like.js';
import { createMtlsFetch, type ClientTlsOptions } from './mtls-fetch.js';

export type { FetchLike, FetchResponseLike } from './fetch-like.js';

export interface GatewayClientOptions {
  baseUrl: string;
  fetch?: FetchLike;
  /** Signs every request once the terminal is enrolled. */
  auth?: { terminalId: string; macKey: Buffer };
  /**
   * Mutual TLS with the terminal's certificate (baseUrl https://, the gateway's TLS listener).
   * Ignored when `fetch` is given.
   */
  tls?: ClientTlsOptions;
  now?: () => Date;
  timeoutMs?: number;
}

export interface GatewayResult<T> {
  readonly status: number;
  /** Absent when the gateway answered 304 Not Modified. */
  readonly data: T | undefined;
  readonly etag: string | undefined;
}

function refusal(status: number, text: string): AppError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = errorResponseSchema.safeParse(parsed);
  const details: Record<string, unknown> = { status };
  if (body.success && isErrorCode(body.data.code)) {
    return new AppError(body.data.code, {
      message: body.data.message,
      details: { ...body.data.details, ...details },
    });
  }
  if (body.success) details.gatewayCode = body.data.code;
  if (status === 429) return new AppError('RATE_LIMITED', { details });
  if (status >= 500) return new AppError('SERVICE_UNAVAILABLE', { details });
  return new AppError('VALIDATION_FAILED', { message: 'The gateway refused the request', details });
}

/** The terminal's HTTP client for the gateway: JSON in and out, every answer checked by schema. */
export class GatewayClient {
  readonly #opts: Required<Omit<GatewayClientOptions, 'auth' | 'tls'>> &
    Pick<GatewayClientOptions, 'auth'>;

  constructor(options: GatewayClientOptions) {
    const { tls, ...rest } = options;
    this.#opts = {
      ...rest,
      fetch: options.fetch ?? (tls === undefined ? globalThis.fetch : createMtlsFetch(tls)),
      now: options.now ?? (() => new Date()),
      timeoutMs: options.timeoutMs ?? 30_000,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
    };
  }

  /** The same client (and connections) signing as this terminal. */
  withAuth(auth: { terminalId: string; macKey: Buffer }): GatewayClient {
    return new GatewayClient({ ...this.#opts, auth });
  }

  /** Ends kept-alive mutual-TLS connections; a plain client has none of its own. */
  close(): void {
    const fetch = this.#opts.fetch as Partial<{ close(): void }>;
    if (typeof fetch.close === 'function') fetch.close();
  }

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    options: { body?: unknown; ifNoneMatch?: string } = {},
  ): Promise<GatewayResult<T>> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;
    if (this.#opts.auth) {
      Object.assign(
        headers,
        signRequest(this.#opts.auth, { method, path, body: body ?? '' }, this.#opts.now()),
      );
    }
    let response: FetchResponseLike;
    let text: string;
    try {
      const signal = AbortSignal.timeout(this.#opts.timeoutMs);
      response = await this.#opts.fetch(`${this.#opts.baseUrl}${path}`, {
        method,
        headers,
        body,
        signal,
      });
      text = await response.text();
    } catch (cause) {
      throw new AppError('GATEWAY_UNREACHABLE', { cause, details: { path } });
    }
    const etag = response.headers.get('etag') ?? undefined;
    if (response.status === 304) return { status: 304, data: undefined, etag };
    if (response.status >= 400) throw refusal(response.status, text);
    return { status: response.status, data: parseBody(schema, text, path), etag };
  }
}

function parseBody<T>(schema: z.ZodType<T>, text: string, path: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError('GATEWAY_RESPONSE_INVALID', { details: { path } });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new AppError('GATEWAY_RESPONSE_INVALID', {
      details: { path, issues: parsed.error.issues.slice(0, 5).map((i) => i.path.join('.')) },
    });
  }
  return parsed.data;
}
