import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCa,
  createKeyAndCsr,
  issueCertificate,
  issueServerCertificate,
} from '@citycard/core/crypto';
import { z } from 'zod';
import { GatewayClient } from './gateway-client.js';

const ca = createCa({ commonName: 'sdk mtls test CA', validityDays: 2 });
const device = createKeyAndCsr({ commonName: 'validator' });
const cert = issueCertificate({
  caCertPem: ca.certPem,
  caKeyPem: ca.keyPem,
  csrPem: device.csrPem,
  role: 'terminal',
  subjectId: 'bus-7',
  validityDays: 1,
});
const tls = { certPem: cert.certPem, keyPem: device.keyPem, caPem: ca.certPem };
const echo = z.object({ peer: z.string().nullable(), body: z.string() });

let server: Server;
let url: string;

beforeAll(async () => {
  const own = issueServerCertificate({ caCertPem: ca.certPem, caKeyPem: ca.keyPem });
  server = createServer(
    { key: own.keyPem, cert: own.certPem, ca: ca.certPem, requestCert: true },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const socket = req.socket as TLSSocket;
        const peer = socket.authorized ? socket.getPeerCertificate().subject.CN : null;
        res.setHeader('content-type', 'application/json');
        res.setHeader('etag', '"v1"');
        res.end(JSON.stringify({ peer: peer ?? null, body: Buffer.concat(chunks).toString() }));
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the gateway client over mutual TLS', () => {
  it('presents the terminal certificate and trusts the platform CA for the server', async () => {
    const client = new GatewayClient({ baseUrl: url, tls });
    const answer = await client.request('POST', '/echo', echo, { body: { n: 1 } });
    client.close();
    expect(answer.status).toBe(200);
    expect(answer.etag).toBe('"v1"');
    // The CA puts the terminal id in the subject's common name.
    expect(answer.data).toEqual({ peer: 'bus-7', body: '{"n":1}' });
  });

  it('refuses a server whose certificate the platform CA did not issue', async () => {
    const other = createCa({ commonName: 'another CA', validityDays: 2 });
    const client = new GatewayClient({ baseUrl: url, tls: { ...tls, caPem: other.certPem } });
    await expect(client.request('GET', '/echo', echo)).rejects.toMatchObject({
      code: 'GATEWAY_UNREACHABLE',
    });
    client.close();
  });

  it('sends a client certificate over https:// only', async () => {
    const client = new GatewayClient({ baseUrl: url.replace('https:', 'http:'), tls });
    await expect(client.request('GET', '/echo', echo)).rejects.toMatchObject({
      code: 'GATEWAY_UNREACHABLE',
    });
    client.close();
  });
});
