import type * as Forge from 'node-forge';
import { AppError } from '../errors/index.js';
import { forge } from './forge.js';
import { CERT_ROLES, SAN_URI_TYPE, certificateFingerprint, type CertRole } from './pki.js';

export interface VerifiedCertificate {
  readonly serial: string;
  readonly role: CertRole;
  readonly subjectId: string;
  readonly notAfter: Date;
  readonly fingerprintSha256: string;
}

export interface VerifyOptions {
  readonly caCertPem: string;
  readonly certPem: string;
  /** Lower-case hex serials. */
  readonly revokedSerials?: ReadonlySet<string>;
  readonly at?: Date;
}

const SAN_URI = /^urn:citycard:([a-z-]+):([A-Za-z0-9][A-Za-z0-9._-]{0,127})$/;

interface AltName {
  type: number;
  value: string;
}

function certInvalid(message: string): AppError {
  return new AppError('CERT_INVALID', { message });
}

function parseCert(pem: string, what: string): Forge.pki.Certificate {
  try {
    return forge.pki.certificateFromPem(pem);
  } catch {
    throw certInvalid(`The ${what} cannot be parsed`);
  }
}

function signedBy(ca: Forge.pki.Certificate, cert: Forge.pki.Certificate): boolean {
  try {
    return ca.verify(cert);
  } catch {
    // forge throws when the issuer name differs from the CA's subject.
    return false;
  }
}

function checkTime(cert: Forge.pki.Certificate, at: Date, what: string): void {
  const t = at.getTime();
  if (t < cert.validity.notBefore.getTime()) throw certInvalid(`The ${what} is not yet valid`);
  if (t > cert.validity.notAfter.getTime()) throw certInvalid(`The ${what} has expired`);
}

function checkUsage(cert: Forge.pki.Certificate): void {
  const basic = cert.getExtension('basicConstraints') as { cA: boolean } | undefined;
  if (basic?.cA) throw certInvalid('A CA certificate cannot identify a client');
  const ext = cert.getExtension('extKeyUsage') as { clientAuth: boolean } | undefined;
  if (!ext?.clientAuth) throw certInvalid('The certificate is not for client authentication');
}

function identityOf(cert: Forge.pki.Certificate): { role: CertRole; subjectId: string } {
  const san = cert.getExtension('subjectAltName') as { altNames: AltName[] } | undefined;
  const names = san?.altNames ?? [];
  const only = names.length === 1 ? names[0] : undefined;
  const match = only?.type === SAN_URI_TYPE ? SAN_URI.exec(only.value) : null;
  const role = CERT_ROLES.find((r) => r === match?.[1]);
  const subjectId = match?.[2];
  if (!role || !subjectId) {
    throw certInvalid('The certificate needs exactly one urn:citycard:<role>:<id> URI name');
  }
  return { role, subjectId };
}

/**
 * Checks a client certificate against the platform CA: signature, issuer, validity of both at
 * `at`, revocation, usage, and the SAN identity. Every failure is CERT_INVALID except revocation.
 */
export function verifyCertificate(options: VerifyOptions): VerifiedCertificate {
  const at = options.at ?? new Date();
  const ca = parseCert(options.caCertPem, 'CA certificate');
  const cert = parseCert(options.certPem, 'certificate');
  if (!signedBy(ca, cert)) throw certInvalid('The certificate was not issued by the platform CA');
  const serial = cert.serialNumber.toLowerCase();
  if (options.revokedSerials?.has(serial)) {
    throw new AppError('CERT_REVOKED', { details: { serial } });
  }
  checkTime(ca, at, 'CA certificate');
  checkTime(cert, at, 'certificate');
  checkUsage(cert);
  const { role, subjectId } = identityOf(cert);
  return {
    serial,
    role,
    subjectId,
    notAfter: cert.validity.notAfter,
    fingerprintSha256: certificateFingerprint(cert),
  };
}

/** SHA-256 over a certificate's DER encoding, lower-case hex without separators. */
export function fingerprintSha256(certPem: string): string {
  return certificateFingerprint(parseCert(certPem, 'certificate'));
}
