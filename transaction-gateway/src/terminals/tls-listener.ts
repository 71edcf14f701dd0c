import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { issueServerCertificateFromStore, type KeyEncryptionKey } from '@citycard/core/crypto';

/** The mutual-TLS listener's material: its own certificate and the platform CA it trusts. */
export interface GatewayTls {
  readonly keyPem: string;
  readonly certPem: string;
  readonly caCertPem: string;
}

export interface GatewayTlsListener {
  readonly server: Server;
  /** Starts listening; resolves to the https:// URL. */
  listen(options: { host: string; port: number }): Promise<string>;
  /** Closes this listener only: the app and its plain HTTP listener are the caller's. */
  close(): Promise<void>;
}

function listenOn(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`https://${shown}:${address.port}`);
    });
  });
}

/**
 * A second listener in front of the same gateway app: HTTPS that asks every client for a
 * certificate from the platform CA. The handshake finishes without one (enrolment, health and
 * distribution of public data need none); the terminal routes then refuse it with a code, and
 * take a certificate only for the terminal it names, as issued at its latest enrolment.
 */
export async function createGatewayTlsListener(
  app: FastifyInstance,
  tls: GatewayTls,
): Promise<GatewayTlsListener> {
  await app.ready();
  const server = createServer(
    {
      key: tls.keyPem,
      cert: tls.certPem,
      ca: tls.caCertPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => app.routing(req, res),
  );
  return {
    server,
    listen: ({ host, port }) => listenOn(server, host, port),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface GatewayTlsStartOptions {
  readonly host: string;
  readonly port: number;
  /** DNS names for the server certificate besides localhost. */
  readonly hostnames?: readonly string[];
  /** The platform PKI directory (FilePkiStore) and the key its CA key is sealed under. */
  readonly pki: { readonly dir: string; readonly kek: KeyEncryptionKey };
}

/**
 * Issues the listener a fresh server certificate from the platform CA (kept in memory only, as
 * issuance's reader-agent listener does) and starts it. PKI_NOT_INITIALISED without a CA.
 */
export async function startGatewayTlsListener(
  app: FastifyInstance,
  options: GatewayTlsStartOptions,
): Promise<{ url: string; listener: GatewayTlsListener }> {
  const issued = await issueServerCertificateFromStore(options.pki.dir, options.pki.kek, {
    dnsNames: options.hostnames ?? [],
  });
  const listener = await createGatewayTlsListener(app, {
    keyPem: issued.keyPem,
    certPem: issued.certPem,
    caCertPem: issued.caCertPem,
  });
  const url = await listener.listen({ host: options.host, port: options.port });
  return { url, listener };
}
