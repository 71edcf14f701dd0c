import { AppError } from '../errors/index.js';
import { D, decimalRounding, type Rounding } from './decimal.js';
import { Rate } from './rate.js';

/** numeric(18,2) holds at most 16 integer digits, i.e. |fen| < 10^18. */
export const MAX_ABS_FEN = 10n ** 18n - 1n;
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

function outOfRange(details: Record<string, unknown>): AppError {
  return new AppError('AMOUNT_OUT_OF_RANGE', { details });
}

function checked(fen: bigint): bigint {
  if (fen > MAX_ABS_FEN || fen < -MAX_ABS_FEN) {
    throw outOfRange({ limit: 'numeric(18,2)' });
  }
  return fen;
}

/**
 * An exact amount of yuan to the fen. Held as bigint fen so every operation except times() is
 * integer arithmetic; every instance fits numeric(18,2), so it always has a valid wire string.
 */
export class Amount {
  // A plain (not #private) field so test equality sees the value.
  private readonly fen: bigint;

  private constructor(fen: bigint) {
    this.fen = fen;
    Object.freeze(this);
  }

  static readonly zero: Amount = new Amount(0n);

  static fromFen(fen: bigint): Amount {
    if (typeof fen !== 'bigint') {
      throw new AppError('AMOUNT_INVALID', { message: 'Fen must be a bigint' });
    }
    return fen === 0n ? Amount.zero : new Amount(checked(fen));
  }

  /** The signed 32-bit fen of a MIFARE value block. */
  static fromInt32Fen(n: number): Amount {
    if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
      throw outOfRange({ limit: 'int32', value: String(n) });
    }
    return Amount.fromFen(BigInt(n));
  }

  toFen(): bigint {
    return this.fen;
  }

  toInt32Fen(): number {
    if (this.fen < BigInt(INT32_MIN) || this.fen > BigInt(INT32_MAX)) {
      throw outOfRange({ limit: 'int32' });
    }
    return Number(this.fen);
  }

  add(other: Amount): Amount {
    return Amount.fromFen(this.fen + other.fen);
  }

  sub(other: Amount): Amount {
    return Amount.fromFen(this.fen - other.fen);
  }

  neg(): Amount {
    return Amount.fromFen(-this.fen);
  }

  abs(): Amount {
    return this.fen < 0n ? this.neg() : this;
  }

  /** The amount times a rate, rounded once to the fen with the named rounding. */
  times(rate: string | Rate, rounding: Rounding = 'half-even'): Amount {
    const r = Rate.parse(rate);
    const exact = new D(this.fen.toString()).times(r.toString());
    const fen = exact.toDecimalPlaces(0, decimalRounding(rounding)).toFixed(0);
    return Amount.fromFen(BigInt(fen));
  }

  cmp(other: Amount): -1 | 0 | 1 {
    return this.fen < other.fen ? -1 : this.fen > other.fen ? 1 : 0;
  }

  eq(other: Amount): boolean {
    return this.fen === other.fen;
  }

  lt(other: Amount): boolean {
    return this.fen < other.fen;
  }

  lte(other: Amount): boolean {
    return this.fen <= other.fen;
  }

  gt(other: Amount): boolean {
    return this.fen > other.fen;
  }

  gte(other: Amount): boolean {
    return this.fen >= other.fen;
  }

  isZero(): boolean {
    return this.fen === 0n;
  }

  isNegative(): boolean {
    return this.fen < 0n;
  }

  isPositive(): boolean {
    return this.fen > 0n;
  }

  /** The two-place wire string: "12.50", "-3.00", "0.00". */
  toString(): string {
    const abs = this.fen < 0n ? -this.fen : this.fen;
    const cents = (abs % 100n).toString().padStart(2, '0');
    return `${this.fen < 0n ? '-' : ''}${abs / 100n}.${cents}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export function isAmount(value: unknown): value is Amount {
  return value instanceof Amount;
}
