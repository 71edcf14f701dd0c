import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { AppError } from '../errors/index.js';
import { open, type KeyEncryptionKey } from './envelope.js';
import { forge } from './forge.js';
import { certificateFingerprint } from './pki.js';
import { isMissing } from './private-files.js';

export interface ServerCertificateOptions {
  readonly caCertPem: string;
  readonly caKeyPem: string;
  /** Default: the first DNS name. */
  readonly commonName?: string;
  /** DNS names besides `localhost`, which is always included. */
  readonly dnsNames?: readonly string[];
  /** IP addresses besides 127.0.0.1, which is always included. */
  readonly ipAddresses?: readonly string[];
  /** Default 30: a listener makes itself a fresh one at each start. */
  readonly validityDays?: number;
}

export interface ServerCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly serial: string;
  readonly notAfter: Date;
  readonly fingerprintSha256: string;
}

const DAY_MS = 86_400_000;
const BACKDATE_MS = 5 * 60_000;
const DNS_NAME =
  /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const SAN_DNS = 2;
const SAN_IP = 7;

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', { message });
}

function altNames(
  options: ServerCertificateOptions,
): Array<{ type: number; value?: string; ip?: string }> {
  const dns = [...new Set(['localhost', ...(options.dnsNames ?? [])])];
  const ips = [...new Set(['127.0.0.1', ...(options.ipAddresses ?? [])])];
  for (const name of dns) if (!DNS_NAME.test(name)) throw invalid(`Not a DNS name: ${name}`);
  for (const ip of ips) if (isIP(ip) === 0) throw invalid(`Not an IP address: ${ip}`);
  return [
    ...dns.map((value) => ({ type: SAN_DNS, value })),
    ...ips.map((ip) => ({ type: SAN_IP, ip })),
  ];
}

function loadCa(caCertPem: string, caKeyPem: string) {
  try {
    const caCert = forge.pki.certificateFromPem(caCertPem);
    const caKey = forge.pki.privateKeyFromPem(caKeyPem);
    return { caCert, caKey };
  } catch (cause) {
    throw new AppError('INTERNAL', { message: 'The CA certificate or key cannot be read', cause });
  }
}

/**
 * A TLS server certificate from the platform CA (extKeyUsage serverAuth; SAN DNS localhost and IP
 * 127.0.0.1 plus the names given), with a fresh RSA key that only the caller holds.
 */
export function issueServerCertificate(options: ServerCertificateOptions): ServerCertificate {
  const days = options.validityDays ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > 825) {
    throw invalid('A server certificate is valid for 1 to 825 days');
  }
  const names = altNames(options);
  const { caCert, caKey } = loadCa(options.caCertPem, options.caKeyPem);
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f || 0x01;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(Math.floor((now - BACKDATE_MS) / 1000) * 1000);
  cert.validity.notAfter = new Date(Math.floor((now + days * DAY_MS) / 1000) * 1000);
  const commonName = options.commonName ?? options.dnsNames?.[0] ?? 'localhost';
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names },
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: pair.privateKey,
    serial: cert.serialNumber.toLowerCase(),
    notAfter: cert.validity.notAfter,
    fingerprintSha256: certificateFingerprint(cert),
  };
}

// The same file and binding FilePkiStore uses for its CA key.
const CA_CERT = 'ca.cert.pem';
const CA_KEY = 'ca.key.sealed';
const CA_KEY_AAD = 'citycard/pki/ca-key';

/**
 * A server certificate signed by the CA of a FilePkiStore directory. The CA key is opened for
 * the signature only and wiped after; the server certificate is not entered in the registry
 * (it lives in the listener's memory and expires on its own).
 */
export async function issueServerCertificateFromStore(
  dir: string,
  keks: KeyEncryptionKey | readonly KeyEncryptionKey[],
  options: Omit<ServerCertificateOptions, 'caCertPem' | 'caKeyPem'>,
): Promise<ServerCertificate & { caCertPem: string }> {
  let caCertPem: string;
  let sealed: string;
  try {
    caCertPem = await readFile(join(dir, CA_CERT), 'utf8');
    sealed = await readFile(join(dir, CA_KEY), 'utf8');
  } catch (error) {
    if (isMissing(error)) throw new AppError('PKI_NOT_INITIALISED', { details: { dir } });
    throw error;
  }
  const caKey = open(sealed.trim(), keks, CA_KEY_AAD);
  try {
    return {
      ...issueServerCertificate({ ...options, caCertPem, caKeyPem: caKey.toString('utf8') }),
      caCertPem,
    };
  } finally {
    caKey.fill(0);
  }
}
