const REDACTED = '[redacted]';

/** PANs are 8 to 19 digits (ISO/IEC 7812); separators people type are dropped first. */
const PAN = /^\d{8,19}$/;

/**
 * Keeps only the last four digits, the most a log or a receipt may show. A value that is not a
 * plausible card number is hidden whole rather than guessed at.
 */
export function maskCardNumber(value: string | number | bigint): string {
  const digits = String(value).replace(/[\s-]/g, '');
  if (!PAN.test(digits)) return REDACTED;
  return '*'.repeat(digits.length - 4) + digits.slice(-4);
}

/**
 * Keeps the first six characters (the issuing region) and the last four, as identity documents
 * are shown on staff screens. Too short to keep both ends without revealing most of it: hidden whole.
 */
export function maskIdNumber(value: string | number | bigint): string {
  const text = String(value).trim();
  if (text.length < 14) return '*'.repeat(text.length);
  return text.slice(0, 6) + '*'.repeat(text.length - 10) + text.slice(-4);
}

/** Masks every 12-to-19-digit run, for free text such as a request URL with a PAN in its path. */
export function maskDigitRuns(text: string): string {
  return text.replace(/\d{12,19}/g, (run) => maskCardNumber(run));
}

export { REDACTED };
