import { createHash } from 'node:crypto';
import { timingSafeEqualHex } from '@citycard/core/crypto';
import { cmac } from './fast-cmac.js';
import { AppError } from '@citycard/core/errors';
import { canonicalBytes } from './canonical.js';
import { ID_PATTERN } from './primitives.js';

export const REQUEST_MAC_DOMAIN = 'citycard/request/v1';
export const TERMINAL_HEADER = 'x-citycard-terminal';
export const TIME_HEADER = 'x-citycard-time';
export const SIGNATURE_HEADER = 'x-citycard-signature';

export interface RequestToSign {
  method: string;
  /** Path with its query string, exactly as sent. */
  path: string;
  body: Buffer | string;
}

function signatureInput(terminalId: string, time: string, req: RequestToSign): Buffer {
  const bodySha256 = createHash('sha256').update(req.body).digest('hex');
  return canonicalBytes(REQUEST_MAC_DOMAIN, {
    method: req.method.toUpperCase(),
    path: req.path,
    terminalId,
    time,
    bodySha256,
  });
}

/**
 * Headers that authenticate an enrolled terminal's request where no client certificate is in
 * play: the terminal id, its clock, and an AES-CMAC under its MAC key over method, path, time and
 * a SHA-256 of the body.
 */
export function signRequest(
  credentials: { terminalId: string; macKey: Buffer },
  req: RequestToSign,
  now: Date,
): Record<string, string> {
  const time = now.toISOString();
  const mac = cmac(credentials.macKey, signatureInput(credentials.terminalId, time, req));
  return {
    [TERMINAL_HEADER]: credentials.terminalId,
    [TIME_HEADER]: time,
    [SIGNATURE_HEADER]: mac.toString('hex'),
  };
}

export interface VerifyRequestOptions {
  headers: Record<string, string | string[] | undefined>;
  macKeyFor: (terminalId: string) => Buffer | undefined;
  now: Date;
  /** How far the terminal's clock may be from the gateway's. */
  toleranceMs: number;
}

function header(headers: VerifyRequestOptions['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? undefined : value;
}

/** Gateway side: the terminal id the request proves, or UNAUTHENTICATED. */
export function verifyRequestSignature(req: RequestToSign, opts: VerifyRequestOptions): string {
  const terminalId = header(opts.headers, TERMINAL_HEADER);
  const time = header(opts.headers, TIME_HEADER);
  const signature = header(opts.headers, SIGNATURE_HEADER);
  if (!terminalId || !time || !signature || !ID_PATTERN.test(terminalId)) {
    throw new AppError('UNAUTHENTICATED', { message: 'The request is not signed' });
  }
  const at = Date.parse(time);
  if (!Number.isFinite(at) || Math.abs(at - opts.now.getTime()) > opts.toleranceMs) {
    throw new AppError('REQUEST_SIGNATURE_INVALID', {
      message: 'The request time is out of range',
    });
  }
  const key = opts.macKeyFor(terminalId);
  const expected = key && cmac(key, signatureInput(terminalId, time, req)).toString('hex');
  if (!expected || !timingSafeEqualHex(expected, signature)) {
    throw new AppError('REQUEST_SIGNATURE_INVALID');
  }
  return terminalId;
}
