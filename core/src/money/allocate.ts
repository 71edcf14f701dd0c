import { AppError } from '../errors/index.js';
import { Amount } from './amount.js';

export type Weight = string | bigint | Amount;

export interface AllocateOptions {
  /** The field name reported in error details (default 'weights'). */
  field?: string;
}

const WEIGHT_PATTERN = /^(?:0|[1-9]\d{0,29})(?:\.\d{1,10})?$/;

interface ScaledWeight {
  readonly units: bigint;
  readonly scale: number;
}

function invalid(field: string, index?: number, reason?: string): AppError {
  return new AppError('ALLOCATION_INVALID', {
    ...(reason === undefined ? {} : { message: reason }),
    details: index === undefined ? { field } : { field, index },
  });
}

/** A weight as an integer count of 10^-scale units, so mixed kinds compare exactly. */
function scaledWeight(w: unknown, field: string, index: number): ScaledWeight {
  if (typeof w === 'bigint') {
    if (w < 0n) throw invalid(field, index, 'A weight is negative');
    return { units: w, scale: 0 };
  }
  if (w instanceof Amount) {
    if (w.isNegative()) throw invalid(field, index, 'A weight is negative');
    return { units: w.toFen(), scale: 2 };
  }
  if (typeof w === 'string' && WEIGHT_PATTERN.test(w)) {
    const [int = '', frac = ''] = w.split('.');
    return { units: BigInt(int + frac), scale: frac.length };
  }
  throw invalid(field, index, 'A weight is not a non-negative decimal string, bigint or Amount');
}

function commonUnits(weights: readonly unknown[], field: string): bigint[] {
  const scaled = weights.map((w, i) => scaledWeight(w, field, i));
  const scale = scaled.reduce((m, s) => Math.max(m, s.scale), 0);
  return scaled.map((s) => s.units * 10n ** BigInt(scale - s.scale));
}

/**
 * Splits total to the fen in proportion to weights by largest remainder: each part is the floor
 * of its exact share, and the fen left over go one each to the largest remainders, earliest index
 * first on a tie. The parts always sum to total; a zero weight always gets zero.
 */
export function allocate(
  total: Amount,
  weights: readonly Weight[],
  opts: AllocateOptions = {},
): Amount[] {
  const field = opts.field ?? 'weights';
  if (weights.length === 0) throw invalid(field, undefined, 'No weights to allocate by');
  const units = commonUnits(weights, field);
  const sum = units.reduce((a, b) => a + b, 0n);
  if (sum === 0n) throw invalid(field, undefined, 'All weights are zero');

  const sign = total.isNegative() ? -1n : 1n;
  const whole = total.toFen() * sign;
  const parts = units.map((u) => (whole * u) / sum);
  const remainders = units.map((u, i) => ({ i, r: (whole * u) % sum }));
  let left = whole - parts.reduce((a, b) => a + b, 0n);
  // Array.prototype.sort is stable, so equal remainders keep index order.
  remainders.sort((a, b) => (a.r > b.r ? -1 : a.r < b.r ? 1 : 0));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return parts.map((p) => Amount.fromFen(p * sign));
}
