/**
 * Money arrives from the services as two-place decimal strings ("12.50") and is shown, summed and
 * typed as strings and integer fen (bigint): a JavaScript number never holds an amount.
 */
const AMOUNT = /^(-)?(\d+)\.(\d{2})$/;

export interface MoneyFormat {
  /** Show + before a positive amount (movements, differences). */
  readonly sign?: boolean;
  /** Leave out the currency symbol (tables with a currency column heading). */
  readonly bare?: boolean;
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatMoney(value: string | null | undefined, format: MoneyFormat = {}): string {
  if (value === null || value === undefined) return '—';
  const match = AMOUNT.exec(value.trim());
  // Anything else is shown exactly as received rather than reinterpreted.
  if (match === null) return value;
  const [, minus, whole = '0', fraction = '00'] = match;
  const zero = /^0+$/.test(whole) && fraction === '00';
  const sign = minus !== undefined && !zero ? '-' : format.sign === true && !zero ? '+' : '';
  const symbol = format.bare === true ? '' : '¥';
  return `${sign}${symbol}${group(whole.replace(/^0+(?=\d)/, ''))}.${fraction}`;
}

/**
 * What a clerk types: digits with at most two decimals (full-width digits, a ¥ and thousands
 * commas are accepted). Answers the two-place string, or undefined when it is not an amount.
 */
export function parseMoneyInput(input: string, maxWholeDigits = 9): string | undefined {
  const s = input.normalize('NFKC').trim().replace(/^¥\s*/, '').replaceAll(',', '');
  const match = new RegExp(`^(\\d{1,${maxWholeDigits}})(?:\\.(\\d{0,2}))?$`).exec(s);
  if (match === null) return undefined;
  const whole = (match[1] ?? '0').replace(/^0+(?=\d)/, '');
  return `${whole}.${(match[2] ?? '').padEnd(2, '0')}`;
}

export function toFen(value: string): bigint {
  const match = AMOUNT.exec(value.trim());
  if (match === null) throw new RangeError(`not a two-place amount: ${value}`);
  const fen = BigInt(`${match[2] ?? '0'}${match[3] ?? '00'}`);
  return match[1] === undefined ? fen : -fen;
}

export function fromFen(fen: bigint): string {
  const negative = fen < 0n;
  const digits = (negative ? -fen : fen).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

export function sumAmounts(values: readonly string[]): string {
  return fromFen(values.reduce((sum, v) => sum + toFen(v), 0n));
}

export function isPositive(value: string): boolean {
  return toFen(value) > 0n;
}

/** A ratio in thousandths, for drawing (a bar's length), never for money. */
export function perMille(part: bigint, whole: bigint): number {
  if (whole <= 0n || part <= 0n) return 0;
  const ratio = (part * 1000n) / whole;
  return ratio > 1000n ? 1000 : Number(ratio);
}
