import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import type { FetchLike, FetchResponseLike } from './fetch-like.js';

/**
 * The terminal's side of mutual TLS with the gateway: the certificate and key from enrolment,
 * and the platform CA as the only issuer trusted for the gateway's server certificate.
 */
export interface ClientTlsOptions {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

/** A FetchLike over HTTPS with a client certificate; `close` ends its kept-alive connections. */
export interface MtlsFetch extends FetchLike {
  close(): void;
}

function responseOf(res: IncomingMessage, body: Buffer): FetchResponseLike {
  const text = body.toString('utf8');
  return {
    status: res.statusCode ?? 0,
    headers: {
      get: (name) => {
        const value = res.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : (value ?? null);
      },
    },
    text: () => Promise.resolve(text),
  };
}

export function createMtlsFetch(tls: ClientTlsOptions): MtlsFetch {
  const agent = new Agent({
    cert: tls.certPem,
    key: tls.keyPem,
    ca: tls.caPem,
    keepAlive: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  });
  const fetch = (url: string, init: Parameters<FetchLike>[1]): Promise<FetchResponseLike> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      if (target.protocol !== 'https:') {
        reject(new Error('A client certificate is sent over https:// only'));
        return;
      }
      const payload = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
      const headers: Record<string, string | number> = { ...init.headers };
      if (payload !== undefined) headers['content-length'] = payload.length;
      const req = request(target, {
        method: init.method,
        agent,
        headers,
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve(responseOf(res, Buffer.concat(chunks))));
      });
      req.on('error', reject);
      req.end(payload);
    });
  return Object.assign(fetch, { close: () => agent.destroy() });
}
