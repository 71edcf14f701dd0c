import { X509Certificate } from 'node:crypto';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { verifyCertificate, type VerifiedCertificate } from '@citycard/core/crypto';
import { AppError } from '@citycard/core/errors';
import type { Principal } from '@citycard/core/http';
import type { IssuanceDeps } from '../deps.js';
import { findAgent } from './reader-agent.repository.js';

export type AgentRole = 'reader-agent';
export const AGENT_ONLY: readonly AgentRole[] = ['reader-agent'];

/** The reader agent behind a request: its certificate and its registration. */
export interface AgentPrincipal extends Principal<AgentRole> {
  /** reader_agents.id = the certificate's subject id. */
  readonly id: string;
  readonly roles: readonly AgentRole[];
  readonly counterId: string;
  readonly serial: string;
}

/** The agent listener's TLS material: its own certificate and the platform CA it trusts. */
export interface AgentTls {
  readonly keyPem: string;
  readonly certPem: string;
  readonly caCertPem: string;
  /** Lower-case hex serials revoked in the platform PKI; asked on every request. */
  revokedSerials(): Promise<ReadonlySet<string>>;
}

/**
 * Resolves the client certificate of a mutual-TLS request to a registered, enabled reader agent.
 * The TLS layer asks for a certificate but lets the handshake finish without one, so that every
 * refusal is an answer with a code: no certificate 401 UNAUTHENTICATED, a chain that does not
 * verify 401 CERT_INVALID, a revoked one 401 CERT_REVOKED, another role 403 FORBIDDEN, an
 * unknown or disabled agent 403.
 */
export function createAgentAuthenticator(
  deps: IssuanceDeps,
  tls: AgentTls,
): (request: FastifyRequest) => Promise<AgentPrincipal> {
  // A certificate is parsed and checked once per connection; revocation on every request.
  const verified = new WeakMap<TLSSocket, VerifiedCertificate>();
  return async (request) => {
    const socket = request.raw.socket;
    if (!(socket instanceof TLSSocket)) throw new AppError('UNAUTHENTICATED');
    const revoked = await tls.revokedSerials();
    let cert = verified.get(socket);
    if (cert === undefined) {
      cert = verifyPeer(socket, tls.caCertPem, revoked);
      verified.set(socket, cert);
    }
    if (revoked.has(cert.serial)) {
      throw new AppError('CERT_REVOKED', { details: { serial: cert.serial } });
    }
    if (cert.role !== 'reader-agent') {
      throw new AppError('FORBIDDEN', { message: 'Only reader agents use this listener' });
    }
    const agent = await findAgent(deps.db, cert.subjectId);
    if (agent === undefined) {
      throw new AppError('AGENT_NOT_REGISTERED', { details: { agentId: cert.subjectId } });
    }
    if (!agent.enabled) throw new AppError('AGENT_DISABLED', { details: { agentId: agent.id } });
    return { id: agent.id, roles: AGENT_ONLY, counterId: agent.counterId, serial: cert.serial };
  };
}

function verifyPeer(
  socket: TLSSocket,
  caCertPem: string,
  revoked: ReadonlySet<string>,
): VerifiedCertificate {
  // Without a client certificate node answers an empty object.
  const raw = (socket.getPeerCertificate() as Partial<PeerCertificate>).raw;
  if (raw === undefined) {
    throw new AppError('UNAUTHENTICATED', { message: 'A client certificate is required' });
  }
  if (!socket.authorized) {
    throw new AppError('CERT_INVALID', {
      message: 'The client certificate does not chain to the platform CA',
    });
  }
  const certPem = new X509Certificate(raw).toString();
  return verifyCertificate({ caCertPem, certPem, revokedSerials: revoked });
}
