import { z } from 'zod';

/** Terminal and operator ids: what the gateway's registry and the certificate SAN accept. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const idString = z.string().regex(ID_PATTERN, {
  error: 'Must be 1–64 characters of A–Z, a–z, 0–9, ., _ or -, starting with a letter or digit',
});

export const cardNumberString = z.string().regex(/^\d{16}$/, { error: 'Must be 16 digits' });

/** A 4- or 7-byte MIFARE UID, upper-case hex, as issuance stores it. */
export const UID_PATTERN = /^(?:[0-9A-F]{8}|[0-9A-F]{14})$/;
export const uidString = z.string().regex(UID_PATTERN, {
  error: 'Must be 8 or 14 upper-case hex digits',
});

export const sequenceNumber = z.int().min(1).max(0xffff_ffff);
export const versionNumber = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** ISO-8601 with an explicit offset ("Z" or "+08:00"), so a terminal's local time is unambiguous. */
export const isoDateTime = z.iso.datetime({ offset: true });

export const hex128 = z.string().regex(/^[0-9a-f]{32}$/, { error: 'Must be 32 lower-case hex' });
export const hex256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'Must be 64 lower-case hex' });

/** Reason codes in receipts and hotlists: SCREAMING_SNAKE like the error catalogue. */
export const reasonCode = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/);
