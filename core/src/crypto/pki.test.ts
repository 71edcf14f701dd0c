import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { forge } from './forge.js';
import { createCa, createKeyAndCsr, issueCertificate, type CaMaterial } from './pki.js';
import { fingerprintSha256, verifyCertificate } from './pki-verify.js';

const DAY = 86_400_000;
const code = (c: string): unknown => expect.objectContaining({ code: c });

let ca: CaMaterial;
let otherCa: CaMaterial;
let csr: { keyPem: string; csrPem: string };

beforeAll(() => {
  ca = createCa({ commonName: 'citycard test CA', validityDays: 3650 });
  // Same name as the real CA, so only the signature can tell them apart.
  otherCa = createCa({ commonName: 'citycard test CA', validityDays: 3650 });
  csr = createKeyAndCsr({ commonName: 'bus-42 validator' });
});

function issue(overrides: Partial<Parameters<typeof issueCertificate>[0]> = {}) {
  return issueCertificate({
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    csrPem: csr.csrPem,
    role: 'terminal',
    subjectId: 'T-0042',
    validityDays: 365,
    ...overrides,
  });
}

/** Signs an arbitrary end-entity certificate with the test CA, to build malformed ones. */
function forgeCert(extensions: object[]): string {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    createPublicKey(csr.keyPem).export({ type: 'spki', format: 'pem' }).toString(),
  );
  cert.serialNumber = '0a0b0c';
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + DAY);
  cert.setSubject([{ name: 'commonName', value: 'odd' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions(extensions);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

describe('PKI happy path', () => {
  it('issues a client certificate that verifies with its role and subject', () => {
    const issued = issue();
    expect(issued.serial).toMatch(/^[0-7][0-9a-f]{31}$/);
    expect(issued.notAfter.getTime()).toBeGreaterThan(Date.now() + 364 * DAY);
    const verified = verifyCertificate({ caCertPem: ca.certPem, certPem: issued.certPem });
    expect(verified).toEqual({
      serial: issued.serial,
      role: 'terminal',
      subjectId: 'T-0042',
      notAfter: issued.notAfter,
      fingerprintSha256: issued.fingerprintSha256,
    });
    expect(fingerprintSha256(issued.certPem)).toBe(issued.fingerprintSha256);
  });

  it('produces certificates that OpenSSL (node:crypto) reads the same way', () => {
    const issued = issue({ role: 'reader-agent', subjectId: 'agent.7' });
    const cert = new X509Certificate(issued.certPem);
    const root = new X509Certificate(ca.certPem);
    expect(root.ca).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(root)).toBe(true);
    expect(cert.verify(root.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(csr.keyPem))).toBe(true);
    expect(cert.subjectAltName).toBe('URI:urn:citycard:reader-agent:agent.7');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.serialNumber.toLowerCase()).toBe(issued.serial);
    expect(cert.fingerprint256.replace(/:/g, '').toLowerCase()).toBe(issued.fingerprintSha256);
    expect(new Date(cert.validTo).getTime()).toBe(issued.notAfter.getTime());
  });

  it('draws distinct positive serials with no leading zero byte', () => {
    const serials = Array.from({ length: 20 }, () => issue().serial);
    expect(new Set(serials).size).toBe(20);
    for (const s of serials) expect(s).toMatch(/^(0[1-9a-f]|[1-7][0-9a-f])[0-9a-f]{30}$/);
  });

  it('takes the identity from the issuer, not from the names in the CSR', () => {
    const issued = issue({ role: 'service', subjectId: 'clearing' });
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subject).toContain('CN=clearing');
    expect(cert.subject).not.toContain('bus-42');
  });
});

describe('PKI refusals', () => {
  it('refuses a certificate from another CA with the same name', () => {
    const foreign = issue({ caCertPem: otherCa.certPem, caKeyPem: otherCa.keyPem });
    expect(() => verifyCertificate({ caCertPem: ca.certPem, certPem: foreign.certPem })).toThrow(
      code('CERT_INVALID'),
    );
  });

  it('refuses an expired or not yet valid certificate', () => {
    const { certPem, notAfter } = issue({ validityDays: 30 });
    const later = new Date(notAfter.getTime() + 1000);
    expect(() => verifyCertificate({ caCertPem: ca.certPem, certPem, at: later })).toThrow(
      code('CERT_INVALID'),
    );
    const before = new Date(Date.now() - DAY);
    expect(() => verifyCertificate({ caCertPem: ca.certPem, certPem, at: before })).toThrow(
      code('CERT_INVALID'),
    );
    expect(verifyCertificate({ caCertPem: ca.certPem, certPem, at: notAfter }).subjectId).toBe(
      'T-0042',
    );
  });

  it('refuses a revoked certificate', () => {
    const { certPem, serial } = issue();
    const revokedSerials = new Set(['00ff', serial]);
    expect(() => verifyCertificate({ caCertPem: ca.certPem, certPem, revokedSerials })).toThrow(
      code('CERT_REVOKED'),
    );
  });

  it('refuses a CSR whose content was changed after signing, or that is not a CSR', () => {
    const der = Buffer.from(csr.csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const at = der.indexOf(Buffer.from('bus-42'));
    expect(at).toBeGreaterThan(0);
    der[at] = 'c'.charCodeAt(0);
    const body = der.toString('base64').replace(/(.{64})/g, '$1\n');
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(() => issue({ csrPem: tampered })).toThrow(code('CSR_INVALID'));
    expect(() => issue({ csrPem: 'not a csr' })).toThrow(code('CSR_INVALID'));
    expect(() => issue({ csrPem: ca.certPem })).toThrow(code('CSR_INVALID'));
  });

  it('refuses a certificate without exactly one well-formed citycard URI', () => {
    const base = [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', clientAuth: true },
    ];
    const sans = [
      [],
      [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'terminal.example' }] }],
      [{ name: 'subjectAltName', altNames: [{ type: 6, value: 'urn:citycard:admin:x' }] }],
      [{ name: 'subjectAltName', altNames: [{ type: 6, value: 'urn:citycard:terminal:' }] }],
      [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 6, value: 'urn:citycard:terminal:a' },
            { type: 6, value: 'urn:citycard:service:b' },
          ],
        },
      ],
    ];
    for (const san of sans) {
      const certPem = forgeCert([...base, ...san]);
      expect(() => verifyCertificate({ caCertPem: ca.certPem, certPem })).toThrow(
        code('CERT_INVALID'),
      );
    }
    const good = forgeCert([
      ...base,
      { name: 'subjectAltName', altNames: [{ type: 6, value: 'urn:citycard:terminal:a' }] },
    ]);
    expect(verifyCertificate({ caCertPem: ca.certPem, certPem: good }).subjectId).toBe('a');
  });

  it('refuses the CA certificate itself and a certificate without clientAuth', () => {
    expect(() => verifyCertificate({ caCertPem: ca.certPem, certPem: ca.certPem })).toThrow(
      code('CERT_INVALID'),
    );
    const noClientAuth = forgeCert([
      { name: 'subjectAltName', altNames: [{ type: 6, value: 'urn:citycard:terminal:a' }] },
    ]);
    expect(() => verifyCertificate({ caCertPem: ca.certPem, certPem: noClientAuth })).toThrow(
      code('CERT_INVALID'),
    );
  });

  it('refuses garbage in place of a certificate', () => {
    expect(() => verifyCertificate({ caCertPem: ca.certPem, certPem: 'x' })).toThrow(
      code('CERT_INVALID'),
    );
    expect(() => verifyCertificate({ caCertPem: 'x', certPem: issue().certPem })).toThrow(
      code('CERT_INVALID'),
    );
  });

  it('validates the request and the CA material', () => {
    expect(() => issue({ subjectId: 'has space' })).toThrow(code('VALIDATION_FAILED'));
    expect(() => issue({ subjectId: 'a:b' })).toThrow(code('VALIDATION_FAILED'));
    expect(() => issue({ role: 'admin' as never })).toThrow(code('VALIDATION_FAILED'));
    expect(() => issue({ validityDays: 0 })).toThrow(code('VALIDATION_FAILED'));
    expect(() => issue({ caKeyPem: otherCa.keyPem })).toThrow(code('INTERNAL'));
    expect(() => createCa({ commonName: '', validityDays: 1 })).toThrow(code('VALIDATION_FAILED'));
  });
});
