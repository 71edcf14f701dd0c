import { X509Certificate, createPrivateKey } from 'node:crypto';
import { AppError } from '@citycard/core/errors';

/**
 * What an enrolled terminal holds. The private key and the MAC key are non-enumerable, so that
 * JSON.stringify, a structured logger or util.inspect of the object never shows them.
 */
export interface TerminalCredentials {
  readonly terminalId: string;
  readonly operatorId: string;
  readonly macKeyId: string;
  readonly certificatePem: string;
  readonly caCertificatePem: string;
  readonly macKey: Buffer;
  readonly keyPem: string;
}

export interface CredentialsInput {
  terminalId: string;
  operatorId: string;
  macKeyId: string;
  certificatePem: string;
  caCertificatePem: string;
  macKey: Buffer;
  keyPem: string;
}

export function makeCredentials(input: CredentialsInput): TerminalCredentials {
  const out = {
    terminalId: input.terminalId,
    operatorId: input.operatorId,
    macKeyId: input.macKeyId,
    certificatePem: input.certificatePem,
    caCertificatePem: input.caCertificatePem,
  };
  Object.defineProperty(out, 'macKey', { value: Buffer.from(input.macKey), enumerable: false });
  Object.defineProperty(out, 'keyPem', { value: input.keyPem, enumerable: false });
  return Object.freeze(out) as TerminalCredentials;
}

/** The certificate must be for our key and signed by the platform CA; anything else is refused. */
export function checkCredentials(c: CredentialsInput | TerminalCredentials): void {
  let ok: boolean;
  try {
    const cert = new X509Certificate(c.certificatePem);
    const ca = new X509Certificate(c.caCertificatePem);
    ok = cert.checkPrivateKey(createPrivateKey(c.keyPem)) && cert.verify(ca.publicKey);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new AppError('CREDENTIALS_INVALID', {
      message: 'The certificate does not match the key or the platform CA',
    });
  }
}
