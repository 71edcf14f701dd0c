import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, type ErrorCode } from '@citycard/core/errors';
import type { Logger } from '@citycard/core/logging';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  requestId: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** Keeps the console's `x-request-id` when it is short and plain (it is echoed and logged). */
export function requestIdOf(req: IncomingMessage, fallback: () => string): string {
  const header = req.headers['x-request-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && REQUEST_ID.test(value) ? value : fallback();
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function errorBody(err: AppError, requestId: string): ErrorBody {
  const body: ErrorBody = {
    code: err.code,
    message: err.message,
    requestId,
    retryable: err.retryable,
  };
  if (err.details !== undefined) body.details = err.details;
  return body;
}

/** Catalogue errors answer as they are; anything else is a bare 500, logged (never its text). */
export function sendError(res: ServerResponse, err: unknown, requestId: string, log: Logger): void {
  if (err instanceof AppError) {
    if (err.httpStatus >= 500) log.warn({ code: err.code, requestId }, 'request failed');
    sendJson(res, err.httpStatus, errorBody(err, requestId));
    return;
  }
  log.error({ err, requestId }, 'unhandled error');
  sendJson(res, 500, errorBody(new AppError('INTERNAL'), requestId));
}
