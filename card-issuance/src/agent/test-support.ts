import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import {
  createCa,
  createKeyAndCsr,
  issueCertificate,
  issueServerCertificate,
  type CertRole,
} from '@citycard/core/crypto';
import type { Queryable } from '@citycard/core/db';
import { injector, type Headers } from '../cards/test-support.js';
import type { IssuanceTestApp } from '../testing/harness.js';
import { buildAgentApp, type AgentListener } from './agent-app.js';
import type { AgentTls } from './agent-auth.js';

export interface AgentCredentials {
  readonly subjectId: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly serial: string;
}

/** A platform CA of the test's own, the listener's TLS material, and a revocation list to edit. */
export interface TestPki {
  readonly caCertPem: string;
  readonly caKeyPem: string;
  readonly revoked: Set<string>;
  readonly tls: AgentTls;
  issue(subjectId: string, role?: CertRole): AgentCredentials;
}

export function makeTestPki(): TestPki {
  const ca = createCa({ commonName: 'citycard test CA', validityDays: 30 });
  const server = issueServerCertificate({ caCertPem: ca.certPem, caKeyPem: ca.keyPem });
  const revoked = new Set<string>();
  return {
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    revoked,
    tls: {
      keyPem: server.keyPem,
      certPem: server.certPem,
      caCertPem: ca.certPem,
      revokedSerials: () => Promise.resolve(revoked),
    },
    issue(subjectId, role = 'reader-agent') {
      const { keyPem, csrPem } = createKeyAndCsr({ commonName: subjectId });
      const cert = issueCertificate({
        caCertPem: ca.certPem,
        caKeyPem: ca.keyPem,
        csrPem,
        role,
        subjectId,
        validityDays: 30,
      });
      return { subjectId, certPem: cert.certPem, keyPem, serial: cert.serial };
    },
  };
}

export const randomAgentId = (): string => `agent-${randomBytes(5).toString('hex')}`;

export interface AgentResponse {
  readonly status: number;
  json<T = Record<string, unknown>>(): T;
}

/** A reader agent's side of the mutual-TLS API, with node's own https client. */
export interface AgentClient {
  get(path: string): Promise<AgentResponse>;
  post(path: string, body: unknown): Promise<AgentResponse>;
}

export function agentClient(
  baseUrl: string,
  caCertPem: string,
  creds?: { certPem: string; keyPem: string },
): AgentClient {
  const send = (method: string, path: string, body?: unknown) =>
    new Promise<AgentResponse>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpsRequest(
        new URL(path, baseUrl),
        {
          method,
          ca: caCertPem,
          ...(creds === undefined ? {} : { cert: creds.certPem, key: creds.keyPem }),
          agent: false,
          headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, json: <T>() => JSON.parse(text) as T });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return { get: (path) => send('GET', path), post: (path, body) => send('POST', path, body) };
}

export interface RunningAgentListener {
  readonly url: string;
  readonly listener: AgentListener;
  client(creds?: AgentCredentials): AgentClient;
  close(): Promise<void>;
}

export async function startAgentListener(
  t: IssuanceTestApp,
  pki: TestPki,
): Promise<RunningAgentListener> {
  const listener = await buildAgentApp(t.deps, pki.tls, 'debug');
  t.captureLogsOf(listener.app);
  const url = await listener.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    listener,
    client: (creds) => agentClient(url, pki.caCertPem, creds),
    close: () => listener.close(),
  };
}

export async function counterOfDrawer(db: Queryable, drawerId: string): Promise<string> {
  const { rows } = await db.query<{ counterId: string }>(
    'SELECT counter_id AS "counterId" FROM issuance.drawers WHERE id = $1',
    [drawerId],
  );
  const id = rows[0]?.counterId;
  if (id === undefined) throw new Error('no such drawer');
  return id;
}

export async function registerAgent(
  t: IssuanceTestApp,
  admin: Headers,
  agentId: string,
  counterId: string,
): Promise<void> {
  const res = await injector(t)('POST', '/reader-agents', admin, { id: agentId, counterId });
  if (res.statusCode !== 201) throw new Error(`agent: ${res.statusCode} ${res.body}`);
}
