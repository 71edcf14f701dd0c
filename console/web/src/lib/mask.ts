/** A card number on paper: the issuer prefix and the last four, as a slip left behind may be read. */
export function maskCardNumber(n: string | null | undefined): string {
  if (n === null || n === undefined || n === '') return '—';
  return n.length <= 8 ? n : `${n.slice(0, 4)}${'*'.repeat(n.length - 8)}${n.slice(-4)}`;
}
