/**
 * The test's own money arithmetic, in bigint fen, so that what it expects owes nothing to the
 * platform's money code.
 */
export function fen(amount: string): bigint {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(amount);
  if (m === null) throw new Error(`not a two-place amount: ${amount}`);
  const value = BigInt(m[2] ?? '0') * 100n + BigInt(m[3] ?? '0');
  return m[1] === '-' ? -value : value;
}

export function yuan(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

export const sumFen = (values: readonly bigint[]): bigint => values.reduce((s, v) => s + v, 0n);

/** n / d rounded half to even, for any sign of n (d > 0). */
function divHalfEven(n: bigint, d: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let q = a / d;
  const r = a % d;
  if (r * 2n > d || (r * 2n === d && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
}

/** amount × rate (a decimal string such as "0.0150"), rounded half-even to the fen. */
export function timesRate(amountFen: bigint, rate: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(rate);
  if (m === null) throw new Error(`not a rate: ${rate}`);
  const places = m[2] ?? '';
  const scaled = BigInt(`${m[1] ?? '0'}${places}`);
  return divHalfEven(amountFen * scaled, 10n ** BigInt(places.length));
}
