import { randomUUID } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CardPlan } from '@citycard/core/card';
import {
  createCa,
  createKeyAndCsr,
  issueCertificate,
  issueServerCertificate,
} from '@citycard/core/crypto';
import { AppError } from '@citycard/core/errors';
import { IssuanceClient } from './issuance-client.js';

const PEM = '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';

function listenSilent(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as AddressInfo).port, sockets }),
    );
  });
}

describe('issuance client, without a server to talk to', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  it('accepts https URLs only', () => {
    expect(
      () => new IssuanceClient({ baseUrl: 'http://127.0.0.1:1', ca: PEM, cert: PEM, key: PEM }),
    ).toThrow(AppError);
  });

  it('answers SERVICE_UNAVAILABLE (network) when nothing listens', async () => {
    const silent = await listenSilent();
    const port = silent.port;
    await new Promise((resolve) => silent.server.close(resolve));
    const client = new IssuanceClient({
      baseUrl: `https://127.0.0.1:${port}`,
      ca: '',
      cert: '',
      key: '',
    });
    cleanup.push(() => client.close());
    await expect(client.requestReadPlan('A1B2C3D4')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
      details: { dependency: 'issuance', reason: 'network' },
    });
  });

  it('gives up after its timeout when issuance does not answer', async () => {
    const silent = await listenSilent();
    cleanup.push(() => {
      for (const s of silent.sockets) s.destroy();
      silent.server.close();
    });
    const client = new IssuanceClient({
      baseUrl: `https://127.0.0.1:${silent.port}`,
      ca: '',
      cert: '',
      key: '',
      timeoutMs: 200,
    });
    cleanup.push(() => client.close());
    const started = Date.now();
    await expect(client.requestReadPlan('A1B2C3D4')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { reason: 'timeout' },
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

describe('issuance client over mutual TLS', () => {
  const ca = createCa({ commonName: 'test platform CA', validityDays: 2 });
  const server = issueServerCertificate({ caCertPem: ca.certPem, caKeyPem: ca.keyPem });
  const agentKey = createKeyAndCsr({ commonName: 'agent-7' });
  const agentCert = issueCertificate({
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    csrPem: agentKey.csrPem,
    role: 'reader-agent',
    subjectId: 'agent-7',
    validityDays: 2,
  });
  let handler: Handler = (_req, res) => res.end();
  const peers: string[] = [];
  const https = createHttpsServer(
    {
      key: server.keyPem,
      cert: server.certPem,
      ca: ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const cn = socket.getPeerCertificate().subject.CN;
      peers.push(Array.isArray(cn) ? cn.join(',') : (cn ?? ''));
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => handler(req, res, body));
    },
  );
  let baseUrl = '';
  const client = (overrides: Partial<{ ca: string }> = {}): IssuanceClient =>
    new IssuanceClient({
      baseUrl,
      ca: overrides.ca ?? ca.certPem,
      cert: agentCert.certPem,
      key: agentKey.keyPem,
      timeoutMs: 2_000,
    });
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  beforeAll(async () => {
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    https.closeAllConnections();
    await new Promise((resolve) => https.close(resolve));
  });

  it('fetches a plan with its client certificate, and wipes its keys on request', async () => {
    const plan: CardPlan = {
      planId: randomUUID(),
      uid: 'A1B2C3D4',
      purpose: 'read',
      steps: [
        { op: 'auth', block: 4, keyType: 'A', key: '0A0B0C0D0E0F' },
        { op: 'read', block: 4 },
      ],
    };
    let asked = '';
    handler = (req, res) => {
      asked = req.url ?? '';
      json(res, 200, plan);
    };
    const c = client();
    const fetched = await c.fetchPlan(plan.planId, 'A1B2C3D4');
    c.close();
    expect(asked).toBe(`/v1/agent/plans/${plan.planId}?uid=A1B2C3D4`);
    expect(peers.at(-1)).toBe('agent-7');
    expect(fetched.plan).toEqual(plan);
    fetched.wipe();
    expect(fetched.plan.steps[0]).toMatchObject({ op: 'auth', key: '000000000000' });
  });

  it('passes issuance errors on under their code and message', async () => {
    handler = (_req, res) =>
      json(res, 401, {
        code: 'CERT_REVOKED',
        message: 'The certificate has been revoked',
        requestId: 'req-12345678',
        retryable: false,
        details: { serial: 'ab' },
      });
    const c = client();
    const err = await c.requestReadPlan('A1B2C3D4').catch((e: unknown) => e);
    c.close();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: 'CERT_REVOKED',
      httpStatus: 401,
      details: { serial: 'ab', upstream: 'issuance', upstreamRequestId: 'req-12345678' },
    });
  });

  it('answers SERVICE_UNAVAILABLE for an answer without a catalogue code or a bad plan', async () => {
    handler = (_req, res) => json(res, 502, { oops: true });
    const c = client();
    await expect(c.requestReadPlan('A1B2C3D4')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { reason: 'http_status' },
    });
    handler = (_req, res) => json(res, 200, { planId: 'x' });
    await expect(c.requestReadPlan('A1B2C3D4')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { reason: 'bad_answer' },
    });
    c.close();
  });

  it('sends reports and checks the answer names the plan', async () => {
    const planId = randomUUID();
    let sent: unknown;
    handler = (_req, res, body) => {
      sent = JSON.parse(body);
      json(res, 200, { planId, status: 'accepted' });
    };
    const report = {
      planId,
      uid: 'A1B2C3D4',
      outcome: 'completed' as const,
      completedSteps: 0,
      steps: [],
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
    };
    const c = client();
    await expect(c.report(report)).resolves.toEqual({ planId, status: 'accepted' });
    expect(sent).toEqual(report);
    handler = (_req, res) => json(res, 200, { planId: randomUUID(), status: 'accepted' });
    await expect(c.report(report)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    c.close();
  });

  it('refuses a server whose certificate is not from the platform CA', async () => {
    const other = createCa({ commonName: 'another CA', validityDays: 2 });
    const c = client({ ca: other.certPem });
    await expect(c.requestReadPlan('A1B2C3D4')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { reason: 'tls' },
    });
    c.close();
  });
});
