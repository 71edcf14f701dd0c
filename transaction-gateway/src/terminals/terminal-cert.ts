import { X509Certificate } from 'node:crypto';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { verifyCertificate, type VerifiedCertificate } from '@citycard/core/crypto';
import { AppError } from '@citycard/core/errors';
import type { GatewayDeps } from '../deps.js';
import type { KnownTerminal } from './terminal-cache.js';

const required = (): AppError => new AppError('CLIENT_CERT_REQUIRED');

const mismatch = (terminalId: string): AppError =>
  new AppError('TERMINAL_CERT_MISMATCH', { details: { terminalId } });

function verifyPeer(socket: TLSSocket, caCertPem: string): VerifiedCertificate {
  // Without a client certificate node answers an empty object.
  const raw = (socket.getPeerCertificate() as Partial<PeerCertificate>).raw;
  if (raw === undefined) throw required();
  if (!socket.authorized) {
    throw new AppError('CERT_INVALID', {
      message: 'The client certificate does not chain to the platform CA',
    });
  }
  return verifyCertificate({ caCertPem, certPem: new X509Certificate(raw).toString() });
}

/**
 * The transport half of a terminal's authentication. On the mutual-TLS listener the client
 * certificate is checked against the platform CA once per connection and answers for the
 * terminal; on plain HTTP there is none, which is refused only when `requireClientCert` is set.
 * The TLS layer lets a handshake without a certificate finish so that the refusal has a code.
 */
export function clientCertificateOf(
  deps: Pick<GatewayDeps, 'ca' | 'settings'>,
): (request: FastifyRequest) => VerifiedCertificate | undefined | Promise<VerifiedCertificate> {
  const verified = new WeakMap<TLSSocket, VerifiedCertificate>();
  let caCertPem: Promise<string> | undefined;
  const platformCa = (): Promise<string> => {
    caCertPem ??= deps.ca.caCertPem().catch((error: unknown) => {
      caCertPem = undefined;
      throw error;
    });
    return caCertPem;
  };
  // Synchronous unless a connection's certificate is checked for the first time: plain HTTP
  // requests pay nothing for the check.
  return (request) => {
    const socket = request.raw.socket;
    if (!(socket instanceof TLSSocket)) {
      if (deps.settings.requireClientCert === true) throw required();
      return undefined;
    }
    const known = verified.get(socket);
    if (known !== undefined) return known;
    return platformCa().then((caPem) => {
      const cert = verifyPeer(socket, caPem);
      verified.set(socket, cert);
      return cert;
    });
  };
}

/** The certificate must name the terminal the request says it comes from. */
export function assertCertificateNames(cert: VerifiedCertificate, terminalId: string): void {
  if (cert.role !== 'terminal' || cert.subjectId !== terminalId) throw mismatch(terminalId);
}

export function isCurrentCertificate(
  terminal: Pick<KnownTerminal, 'certFingerprint'>,
  cert: VerifiedCertificate,
): boolean {
  return terminal.certFingerprint !== null && terminal.certFingerprint === cert.fingerprintSha256;
}

/**
 * Only the certificate of the terminal's latest enrolment is accepted: one from an earlier
 * enrolment, or one issued to the same id some other way, is refused.
 */
export function assertCurrentCertificate(
  terminal: Pick<KnownTerminal, 'id' | 'certFingerprint'>,
  cert: VerifiedCertificate,
): void {
  if (!isCurrentCertificate(terminal, cert)) throw mismatch(terminal.id);
}
