import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { createCa } from './pki.js';
import { issueServerCertificate, issueServerCertificateFromStore } from './pki-server.js';
import { FilePkiStore } from './pki-store.js';

const ca = createCa({ commonName: 'server test CA', validityDays: 10 });
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Whether node's https client, trusting only the CA, completes a request to 127.0.0.1. */
async function handshake(certPem: string, keyPem: string): Promise<number> {
  const server = createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, ca: ca.certPem, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.close();
  }
}

describe('issueServerCertificate', () => {
  it('names localhost, 127.0.0.1 and the names given, for server authentication', () => {
    const issued = issueServerCertificate({
      caCertPem: ca.certPem,
      caKeyPem: ca.keyPem,
      dnsNames: ['issuance.example'],
      ipAddresses: ['10.0.0.5'],
    });
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subjectAltName).toBe(
      'DNS:localhost, DNS:issuance.example, IP Address:127.0.0.1, IP Address:10.0.0.5',
    );
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.ca).toBe(false);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.serialNumber.toLowerCase()).toBe(issued.serial);
  });

  it('is accepted by a TLS client that trusts the platform CA', async () => {
    const issued = issueServerCertificate({ caCertPem: ca.certPem, caKeyPem: ca.keyPem });
    expect(await handshake(issued.certPem, issued.keyPem)).toBe(200);
  });

  it('refuses names that are not names', () => {
    const bad = () =>
      issueServerCertificate({ caCertPem: ca.certPem, caKeyPem: ca.keyPem, dnsNames: ['a b'] });
    expect(bad).toThrow(AppError);
    expect(() =>
      issueServerCertificate({
        caCertPem: ca.certPem,
        caKeyPem: ca.keyPem,
        ipAddresses: ['1.2.3'],
      }),
    ).toThrow(AppError);
  });

  it('signs with the CA of a FilePkiStore, which must exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pki-server-'));
    dirs.push(dir);
    const kek = { id: 'kek-1', key: randomBytes(32) };
    await expect(issueServerCertificateFromStore(dir, kek, {})).rejects.toMatchObject({
      code: 'PKI_NOT_INITIALISED',
    });
    const store = new FilePkiStore(dir, kek);
    const { certPem } = await store.init({ commonName: 'store CA', validityDays: 10 });
    const issued = await issueServerCertificateFromStore(dir, kek, { dnsNames: ['agent.local'] });
    expect(issued.caCertPem).toBe(certPem);
    expect(new X509Certificate(issued.certPem).verify(new X509Certificate(certPem).publicKey)).toBe(
      true,
    );
    await expect(
      issueServerCertificateFromStore(dir, { id: 'kek-1', key: randomBytes(32) }, {}),
    ).rejects.toMatchObject({ code: 'ENVELOPE_INVALID' });
  });
});
