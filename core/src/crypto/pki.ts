import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import type * as Forge from 'node-forge';
import { AppError } from '../errors/index.js';
import { forge } from './forge.js';

export const CERT_ROLES = ['terminal', 'reader-agent', 'service'] as const;
export type CertRole = (typeof CERT_ROLES)[number];

export interface KeyPairPem {
  readonly keyPem: string;
}
export interface CaMaterial extends KeyPairPem {
  readonly certPem: string;
}
export interface KeyAndCsr extends KeyPairPem {
  readonly csrPem: string;
}
export interface IssuedCertificate {
  readonly certPem: string;
  /** Lower-case hex, as it appears in revocation lists. */
  readonly serial: string;
  readonly notAfter: Date;
  readonly fingerprintSha256: string;
}

const NAME = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;
const SUBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const SAN_URI_TYPE = 6;
const DAY_MS = 86_400_000;
// Tolerates terminals whose clocks run a little behind the CA's.
const BACKDATE_MS = 5 * 60_000;
const MAX_VALIDITY_DAYS = 36_500;

function validation(message: string): AppError {
  return new AppError('VALIDATION_FAILED', { message });
}

function checkName(name: string, what: string): void {
  if (!NAME.test(name)) throw validation(`${what} must be 1–64 printable ASCII characters`);
}

function checkValidityDays(days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw validation('validityDays must be a whole number of days from 1 to 36500');
  }
}

// Attribute values are restricted to ASCII, so UTF8String round-trips through forge unchanged.
function subjectOf(commonName: string, organisationalUnit?: string): Forge.pki.CertificateField[] {
  // The typings declare valueTagClass as a Class, but forge reads it as a universal Type.
  const utf8 = forge.asn1.Type.UTF8 as unknown as Forge.asn1.Class;
  const fields: Forge.pki.CertificateField[] = [
    { name: 'commonName', value: commonName, valueTagClass: utf8 },
  ];
  if (organisationalUnit) {
    fields.push({
      name: 'organizationalUnitName',
      value: organisationalUnit,
      valueTagClass: utf8,
    });
  }
  return fields;
}

function rsaKeyPair(): { publicKey: Forge.pki.rsa.PublicKey; keyPem: string } {
  // OpenSSL's key generation; forge's pure-JS one takes seconds per key.
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  return { publicKey, keyPem: pair.privateKey };
}

/** 16 random bytes read as a positive DER integer with no leading zero byte. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
  return bytes.toString('hex');
}

// X.509 times carry whole seconds; truncating here keeps the returned dates equal to the cert's.
function wholeSeconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

function setValidity(cert: Forge.pki.Certificate, validityDays: number, now = Date.now()): void {
  cert.validity.notBefore = wholeSeconds(now - BACKDATE_MS);
  cert.validity.notAfter = wholeSeconds(now + validityDays * DAY_MS);
}

function sign(cert: Forge.pki.Certificate, keyPem: string): void {
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
}

export function certificateDer(cert: Forge.pki.Certificate): Buffer {
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  return Buffer.from(der, 'binary');
}

/** SHA-256 over the DER encoding, lower-case hex without separators. */
export function certificateFingerprint(cert: Forge.pki.Certificate): string {
  return createHash('sha256').update(certificateDer(cert)).digest('hex');
}

/** A self-signed root that may sign end-entity certificates only (path length 0). */
export function createCa(options: { commonName: string; validityDays: number }): CaMaterial {
  checkName(options.commonName, 'commonName');
  checkValidityDays(options.validityDays);
  const { publicKey, keyPem } = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  setValidity(cert, options.validityDays);
  const subject = subjectOf(options.commonName);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
    { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  sign(cert, keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** A fresh key pair and a CSR for it; the key never leaves the caller. */
export function createKeyAndCsr(options: { commonName: string }): KeyAndCsr {
  checkName(options.commonName, 'commonName');
  const { publicKey, keyPem } = rsaKeyPair();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = publicKey;
  csr.setSubject(subjectOf(options.commonName));
  csr.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { keyPem, csrPem: forge.pki.certificationRequestToPem(csr) };
}

function verifiesItself(csr: Forge.pki.CertificateSigningRequest): boolean {
  try {
    return csr.verify();
  } catch {
    return false;
  }
}

function parseCsr(csrPem: string): Forge.pki.CertificateSigningRequest {
  let csr: Forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(csrPem);
  } catch (cause) {
    throw new AppError('CSR_INVALID', { message: 'The CSR cannot be parsed', cause });
  }
  if (!verifiesItself(csr)) {
    throw new AppError('CSR_INVALID', { message: 'The CSR signature does not verify' });
  }
  const key = csr.publicKey as Forge.pki.rsa.PublicKey | null;
  if (!key || key.n.bitLength() < 2048) {
    throw new AppError('CSR_INVALID', { message: 'The CSR key must be RSA of at least 2048 bits' });
  }
  return csr;
}

function loadCa(
  caCertPem: string,
  caKeyPem: string,
): { caCert: Forge.pki.Certificate; caKey: Forge.pki.rsa.PrivateKey } {
  let caCert: Forge.pki.Certificate;
  let caKey: Forge.pki.rsa.PrivateKey;
  try {
    caCert = forge.pki.certificateFromPem(caCertPem);
    caKey = forge.pki.privateKeyFromPem(caKeyPem);
  } catch (cause) {
    throw new AppError('INTERNAL', { message: 'The CA certificate or key cannot be read', cause });
  }
  // A mismatched pair would sign certificates that nothing can verify.
  const caPublic = caCert.publicKey as Forge.pki.rsa.PublicKey;
  if (caPublic.n.compareTo(caKey.n) !== 0) {
    throw new AppError('INTERNAL', { message: 'The CA key does not belong to the CA certificate' });
  }
  return { caCert, caKey };
}

export function sanUri(role: CertRole, subjectId: string): string {
  return `urn:citycard:${role}:${subjectId}`;
}

export interface IssueOptions {
  readonly caCertPem: string;
  readonly caKeyPem: string;
  readonly csrPem: string;
  readonly role: CertRole;
  readonly subjectId: string;
  readonly validityDays: number;
}

/**
 * Signs a client certificate for the CSR's key. The identity comes from the caller (role and
 * subject id in the SAN URI), never from names the requester put in the CSR.
 */
export function issueCertificate(options: IssueOptions): IssuedCertificate {
  const { role, subjectId, validityDays } = options;
  if (!CERT_ROLES.includes(role)) throw validation('Unknown certificate role');
  if (!SUBJECT_ID.test(subjectId)) {
    throw validation('subjectId must be 1–128 characters of A–Z, a–z, 0–9, ., _ or -');
  }
  checkValidityDays(validityDays);
  const csr = parseCsr(options.csrPem);
  const { caCert, caKey } = loadCa(options.caCertPem, options.caKeyPem);

  const cert = forge.pki.createCertificate();
  cert.publicKey = csr.publicKey as Forge.pki.rsa.PublicKey;
  cert.serialNumber = randomSerial();
  setValidity(cert, validityDays);
  cert.setSubject(subjectOf(subjectId, role));
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: SAN_URI_TYPE, value: sanUri(role, subjectId) }] },
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    serial: cert.serialNumber.toLowerCase(),
    notAfter: cert.validity.notAfter,
    fingerprintSha256: certificateFingerprint(cert),
  };
}
