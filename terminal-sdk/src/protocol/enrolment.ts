import { X509Certificate, constants, privateDecrypt, publicEncrypt } from 'node:crypto';
import { AppError } from '@citycard/core/errors';
import { z } from 'zod';
import { idString, isoDateTime } from './primitives.js';

/** AES-128: the terminal MAC key length. */
export const MAC_KEY_LENGTH = 16;

const pem = (label: string) =>
  z
    .string()
    .max(16_384)
    .refine((s) => s.includes(`-----BEGIN ${label}-----`), { error: `Must be a PEM ${label}` });

/**
 * POST /v1/terminals/enrol. The token is single-use and scoped to one operator and one terminal
 * registered in advance; the terminal id comes back in the answer, never from the request.
 */
export const enrolmentRequestSchema = z.strictObject({
  v: z.literal(1),
  token: z.string().min(16).max(256),
  csrPem: pem('CERTIFICATE REQUEST'),
  device: z
    .strictObject({
      model: z.string().min(1).max(64).optional(),
      serial: z.string().min(1).max(64).optional(),
      softwareVersion: z.string().min(1).max(64).optional(),
    })
    .optional(),
});
export type EnrolmentRequest = z.infer<typeof enrolmentRequestSchema>;

export const enrolmentResponseSchema = z.strictObject({
  v: z.literal(1),
  terminalId: idString,
  operatorId: idString,
  certificatePem: pem('CERTIFICATE'),
  caCertificatePem: pem('CERTIFICATE'),
  macKeyId: idString,
  /** The MAC key under RSA-OAEP (SHA-256) to the certificate's key, base64: only the terminal reads it. */
  macKeyWrapped: z.base64().max(1024),
  gatewayTime: isoDateTime,
});
export type EnrolmentResponse = z.infer<typeof enrolmentResponseSchema>;

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

/** Gateway side: wraps a fresh MAC key to the public key of the certificate it just issued. */
export function wrapMacKey(certificatePem: string, macKey: Buffer): string {
  const key = new X509Certificate(certificatePem).publicKey;
  return publicEncrypt({ key, ...OAEP }, macKey).toString('base64');
}

/** Terminal side: recovers the MAC key with its private key. */
export function unwrapMacKey(privateKeyPem: string, wrapped: string): Buffer {
  let key: Buffer;
  try {
    key = privateDecrypt({ key: privateKeyPem, ...OAEP }, Buffer.from(wrapped, 'base64'));
  } catch {
    // The cause is dropped on purpose: it could say something about the key.
    throw new AppError('CREDENTIALS_INVALID', { message: 'The MAC key cannot be unwrapped' });
  }
  if (key.length !== MAC_KEY_LENGTH) {
    throw new AppError('CREDENTIALS_INVALID', { message: 'The MAC key has the wrong length' });
  }
  return key;
}
