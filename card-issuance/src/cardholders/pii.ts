import { blindIndex, open, seal, type KeyEncryptionKey } from '@citycard/core/crypto';
import { documentIndexText, type IdentityDocument } from './document.js';

/** The two keys that protect identity numbers at rest. */
export interface PiiKeys {
  readonly piiKek: KeyEncryptionKey;
  readonly blindIndexKey: Buffer;
}

/** Bound to its row: an envelope copied into another cardholder's row does not open there. */
export function sealIdNumber(keys: PiiKeys, cardholderId: string, number: string): string {
  return seal(Buffer.from(number, 'utf8'), keys.piiKek, cardholderId);
}

export function openIdNumber(keys: PiiKeys, cardholderId: string, sealed: string): string {
  const bytes = open(sealed, keys.piiKek, cardholderId);
  try {
    return bytes.toString('utf8');
  } finally {
    bytes.fill(0);
  }
}

export function idNumberIndex(
  keys: PiiKeys,
  doc: Pick<IdentityDocument, 'type' | 'number' | 'country'>,
): string {
  return blindIndex(keys.blindIndexKey, documentIndexText(doc));
}

const historyContext = (cardholderId: string, version: number): string =>
  `cardholder_history:${cardholderId}:${version}`;

/** Seals what a change replaced, bound to the history row (cardholder and version) it belongs to. */
export function sealPrevious(
  keys: PiiKeys,
  cardholderId: string,
  version: number,
  values: Record<string, unknown>,
): string {
  const bytes = Buffer.from(JSON.stringify(values), 'utf8');
  try {
    return seal(bytes, keys.piiKek, historyContext(cardholderId, version));
  } finally {
    bytes.fill(0);
  }
}

export function openPrevious(
  keys: PiiKeys,
  cardholderId: string,
  version: number,
  sealed: string,
): Record<string, unknown> {
  const bytes = open(sealed, keys.piiKek, historyContext(cardholderId, version));
  try {
    return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } finally {
    bytes.fill(0);
  }
}
