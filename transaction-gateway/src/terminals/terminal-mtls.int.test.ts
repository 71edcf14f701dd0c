import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  createCa,
  createKeyAndCsr,
  issueCertificate,
  issueServerCertificate,
} from '@citycard/core/crypto';
import {
  PROTOCOL_PATHS,
  enrolmentResponseSchema,
  signRequest,
  unwrapMacKey,
} from '@citycard/terminal-sdk/protocol';
import { buildGatewayApp } from '../app.js';
import type { CertificateAuthority } from '../deps.js';
import type { DistributionDeps } from '../distribution/index.js';
import {
  startGatewayTestApp,
  TestTerminal,
  type GatewayTestApp,
  type TestCard,
  type TestStaff,
} from '../testing/index.js';
import { createGatewayTlsListener, type GatewayTlsListener } from './index.js';

// The harness app answers inject() only; this test runs a second app of the same gateway on
// the same schemas, with a platform CA whose key it holds, behind both real listeners:
// plain HTTP with requireClientCert (GATEWAY_REQUIRE_CLIENT_CERT=true) and the mutual-TLS one.
let gw: GatewayTestApp;
let app: FastifyInstance;
let tls: GatewayTlsListener;
let plainUrl: string;
let tlsUrl: string;
let caCertPem: string;
let admin: TestStaff;
let card: TestCard;

beforeAll(async () => {
  gw = await startGatewayTestApp();
  const ca = createCa({ commonName: 'citycard mtls test CA', validityDays: 30 });
  caCertPem = ca.certPem;
  const platformCa: CertificateAuthority = {
    caCertPem: () => Promise.resolve(ca.certPem),
    issue: (req) =>
      Promise.resolve(issueCertificate({ ...req, caCertPem: ca.certPem, caKeyPem: ca.keyPem })),
  };
  const deps: DistributionDeps = {
    ...gw.deps,
    ca: platformCa,
    settings: { ...gw.deps.settings, requireClientCert: true },
  };
  app = (await buildGatewayApp(deps)).app;
  plainUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const server = issueServerCertificate({ caCertPem: ca.certPem, caKeyPem: ca.keyPem });
  tls = await createGatewayTlsListener(app, { ...server, caCertPem: ca.certPem });
  tlsUrl = await tls.listen({ host: '127.0.0.1', port: 0 });
  admin = await gw.staff(['admin']);
  card = await gw.addCard();
});
afterAll(async () => {
  await tls.close();
  await app.close();
  await gw.close();
});

/** What a device holds after enrolment. */
interface Enrolled {
  readonly terminalId: string;
  readonly operatorId: string;
  readonly macKeyId: string;
  readonly macKey: Buffer;
  readonly certPem: string;
  readonly keyPem: string;
}

interface Answer {
  readonly status: number;
  readonly body: { code?: string; accepted?: number; quarantined?: number };
}

/** Enrols the way a device does: its own key, a CSR and the token, over plain HTTP. */
async function enrol(token: string): Promise<Enrolled> {
  const { keyPem, csrPem } = createKeyAndCsr({ commonName: 'validator' });
  const res = await fetch(`${plainUrl}${PROTOCOL_PATHS.enrol}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ v: 1, token, csrPem }),
  });
  expect(res.status).toBe(201);
  const answer = enrolmentResponseSchema.parse(await res.json());
  const macKey = unwrapMacKey(keyPem, answer.macKeyWrapped);
  const { terminalId, operatorId, macKeyId, certificatePem: certPem } = answer;
  return { terminalId, operatorId, macKeyId, macKey, certPem, keyPem };
}

async function enrolNew(): Promise<Enrolled> {
  return enrol((await gw.addEnrolmentToken()).token);
}

function testTerminal(c: Enrolled): TestTerminal {
  const { terminalId: id, operatorId, macKeyId, macKey } = c;
  return new TestTerminal({ id, operatorId, macKeyId, macKey }, gw.deps.clock);
}

/**
 * A batch of two records of `as`, signed as `as`, sent over HTTPS presenting `cert`'s
 * certificate (none when undefined), or over plain HTTP when `plain` is set.
 */
function postBatch(
  as: Enrolled,
  cert: { certPem: string; keyPem: string } | undefined,
  terminal = testTerminal(as),
  plain = false,
): Promise<Answer> {
  const text = JSON.stringify(terminal.batch(terminal.records(card, 2)));
  const path = PROTOCOL_PATHS.batches;
  const signed = signRequest(as, { method: 'POST', path, body: text }, gw.deps.clock());
  const headers = { ...signed, 'content-type': 'application/json' };
  if (plain) {
    return fetch(`${plainUrl}${path}`, { method: 'POST', headers, body: text }).then(
      async (res) => ({ status: res.status, body: (await res.json()) as Answer['body'] }),
    );
  }
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, tlsUrl), {
      method: 'POST',
      ca: caCertPem,
      ...(cert === undefined ? {} : { cert: cert.certPem, key: cert.keyPem }),
      headers,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'];
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

const command = (terminalId: string, verb: string) =>
  gw.app.inject({
    method: 'POST',
    url: `/admin/terminals/${terminalId}/${verb}`,
    headers: admin.headers,
  });

describe('terminals over mutual TLS', () => {
  it('accepts a batch from an enrolled terminal presenting its own certificate', async () => {
    const c = await enrolNew();
    const answer = await postBatch(c, c);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ accepted: 2, quarantined: 0 });
  });

  it('refuses a request without a client certificate with 401 and writes nothing', async () => {
    const c = await enrolNew();
    const before = await gw.counts();
    const answer = await postBatch(c, undefined);
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('CLIENT_CERT_REQUIRED');
    expect(await gw.counts()).toEqual(before);
  });

  it("refuses another terminal's certificate under this terminal's header, writing nothing", async () => {
    const mine = await enrolNew();
    const other = await enrolNew();
    const before = await gw.counts();
    // Signed with this terminal's own MAC key: only the certificate is wrong.
    const answer = await postBatch(mine, other);
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('TERMINAL_CERT_MISMATCH');
    expect(await gw.counts()).toEqual(before);
  });

  it('refuses a certificate from an earlier enrolment of the same terminal', async () => {
    const first = await enrolNew();
    const made = await gw.app.inject({
      method: 'POST',
      url: `/admin/terminals/${first.terminalId}/enrolment-tokens`,
      headers: admin.headers,
      payload: { ttlHours: 1 },
    });
    expect(made.statusCode, made.body).toBe(201);
    const second = await enrol(made.json<{ token: string }>().token);
    expect(second.terminalId).toBe(first.terminalId);
    const terminal = testTerminal(second);
    // The old certificate, with requests signed under the new key: still refused.
    const stale = await postBatch(second, first, terminal);
    expect(stale.status).toBe(403);
    expect(stale.body.code).toBe('TERMINAL_CERT_MISMATCH');
    expect((await postBatch(second, second, testTerminal(second))).status).toBe(200);
  });

  it('refuses a certificate the platform CA did not issue', async () => {
    const c = await enrolNew();
    const { keyPem, csrPem } = createKeyAndCsr({ commonName: 'forged' });
    // The harness's CA is a real CA, just not this gateway's platform CA.
    const forged = await gw.deps.ca.issue({
      csrPem,
      role: 'terminal',
      subjectId: c.terminalId,
      validityDays: 1,
    });
    const answer = await postBatch(c, { certPem: forged.certPem, keyPem });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('CERT_INVALID');
  });

  it("refuses a retired terminal's certificate and writes nothing", async () => {
    const c = await enrolNew();
    const terminal = testTerminal(c);
    expect((await postBatch(c, c, terminal)).status).toBe(200);
    const retired = await command(c.terminalId, 'retire');
    expect(retired.statusCode, retired.body).toBe(200);
    const before = await gw.counts();
    const answer = await postBatch(c, c, terminal);
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('TERMINAL_DISABLED');
    expect(await gw.counts()).toEqual(before);
  });

  it('answers terminal routes on plain HTTP with 401 when a certificate is required', async () => {
    const c = await enrolNew();
    const before = await gw.counts();
    const answer = await postBatch(c, undefined, testTerminal(c), true);
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('CLIENT_CERT_REQUIRED');
    expect(await gw.counts()).toEqual(before);
    expect((await fetch(`${plainUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${plainUrl}/metrics`)).status).toBe(200);
  });
});
