import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const acceptable = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * Keeps a caller's `x-request-id` so one id follows a request through the terminal, the gateway
 * and the logs, but only when it is short and plain: it is echoed in responses and logs.
 */
export function requestIdFrom(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && acceptable.test(value) ? value : randomUUID();
}
