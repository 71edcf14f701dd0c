import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors/index.js';

/** A 256-bit key that encrypts secrets at rest; the id travels in each envelope so keys can rotate. */
export interface KeyEncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

const VERSION = 'v1';
const KEY_LENGTH = 32;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function assertKek(kek: KeyEncryptionKey): void {
  if (!KEY_ID.test(kek.id)) {
    throw new AppError('KEY_INVALID', {
      message: 'A key id is 1–64 characters of A–Z, a–z, 0–9, _ or -',
    });
  }
  if (kek.key.length !== KEY_LENGTH) {
    throw new AppError('KEY_INVALID', {
      message: 'A key-encryption key must be 32 bytes',
      details: { keyId: kek.id, length: kek.key.length },
    });
  }
}

// The header is authenticated with the caller's context so an envelope cannot be replayed under
// another key id or into a field with a different context.
function associatedData(keyId: string, aad: string | undefined): Buffer {
  return Buffer.from(`${VERSION}.${keyId}.${aad ?? ''}`, 'utf8');
}

/** Encrypts with AES-256-GCM under a fresh random IV: `v1.<keyId>.<iv>.<tag>.<ciphertext>`. */
export function seal(plaintext: Buffer, kek: KeyEncryptionKey, aad?: string): string {
  assertKek(kek);
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(associatedData(kek.id, aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
  return [VERSION, kek.id, ...parts].join('.');
}

function invalid(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('ENVELOPE_INVALID', details ? { message, details } : { message });
}

/** Decodes only canonical base64url, so that no two texts open to the same bytes. */
function decodeStrict(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

interface ParsedEnvelope {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function parse(sealed: string): ParsedEnvelope {
  const fields = sealed.split('.');
  const [version, keyId, ivText, tagText, ctText] = fields;
  if (fields.length !== 5 || version !== VERSION) throw invalid('Unknown envelope format');
  if (keyId === undefined || !KEY_ID.test(keyId)) throw invalid('Malformed envelope key id');
  const iv = decodeStrict(ivText ?? '');
  const tag = decodeStrict(tagText ?? '');
  const ciphertext = decodeStrict(ctText ?? '');
  if (iv?.length !== IV_LENGTH || tag?.length !== TAG_LENGTH || ciphertext === undefined) {
    throw invalid('Malformed envelope');
  }
  return { keyId, iv, tag, ciphertext };
}

/** The id of the key an envelope was sealed under, e.g. to find envelopes that need re-sealing. */
export function envelopeKeyId(sealed: string): string {
  return parse(sealed).keyId;
}

/** Opens an envelope with whichever of `keys` has its id; any mismatch or tampering is one error. */
export function open(
  sealed: string,
  keys: KeyEncryptionKey | readonly KeyEncryptionKey[],
  aad?: string,
): Buffer {
  const { keyId, iv, tag, ciphertext } = parse(sealed);
  const candidates = 'id' in keys ? [keys] : keys;
  const kek = candidates.find((k) => k.id === keyId);
  if (!kek) throw invalid('No key with the envelope key id', { keyId });
  assertKek(kek);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.key, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(associatedData(keyId, aad));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // The cause is dropped on purpose: nothing about the content may leak through the error.
    throw invalid('The envelope does not authenticate under its key and context', { keyId });
  }
}

/** Opens with any known key and seals again under `current`, for key rotation. */
export function reseal(
  sealed: string,
  keys: readonly KeyEncryptionKey[],
  current: KeyEncryptionKey,
  aad?: string,
): string {
  const plaintext = open(sealed, keys, aad);
  try {
    return seal(plaintext, current, aad);
  } finally {
    plaintext.fill(0);
  }
}

/** A short, stable id derived from the key itself, for deployments that name no id. */
export function deriveKeyId(key: Buffer): string {
  const digest = createHash('sha256').update('citycard-kek-id\0').update(key).digest('hex');
  return `k${digest.slice(0, 12)}`;
}

/**
 * Reads 32 bytes of key material from configuration: 64 hex characters, or base64 in either
 * alphabet with or without its padding. The text itself never appears in the error.
 */
export function parseKek(text: string): Buffer {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (key?.length !== KEY_LENGTH) {
    throw new AppError('KEY_INVALID', {
      message: 'A key-encryption key must be 64 hex characters or base64 of 32 bytes',
    });
  }
  return key;
}
