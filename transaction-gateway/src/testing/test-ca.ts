import { createCa, issueCertificate, type CaMaterial } from '@citycard/core/crypto';
import type { CertificateAuthority } from '../deps.js';

let shared: CaMaterial | undefined;

/** An in-memory platform CA, made once per process (RSA key generation is slow). */
export function testCa(): CertificateAuthority & { readonly certPem: string } {
  shared ??= createCa({ commonName: 'citycard test CA', validityDays: 30 });
  const ca = shared;
  return {
    certPem: ca.certPem,
    caCertPem: () => Promise.resolve(ca.certPem),
    issue: (request) =>
      Promise.resolve(issueCertificate({ ...request, caCertPem: ca.certPem, caKeyPem: ca.keyPem })),
  };
}
