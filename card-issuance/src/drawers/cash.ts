import { AppError } from '@citycard/core/errors';
import { parseAmount, sumAmounts, type Amount } from '@citycard/core/money';

export const cashKinds = [
  'deposit_taken',
  'deposit_refunded',
  'top_up_cash',
  'balance_refunded',
  'float',
  'correction',
] as const;
export type CashKind = (typeof cashKinds)[number];

/** Positive into the drawer, negative paid out; the kind fixes the sign where it can. */
const signOf: Readonly<Record<CashKind, 'in' | 'out' | 'either'>> = {
  deposit_taken: 'in',
  top_up_cash: 'in',
  deposit_refunded: 'out',
  balance_refunded: 'out',
  float: 'either',
  correction: 'either',
};

/**
 * The largest float, count or correction a person may type in; far above any real counter,
 * low enough that a slipped finger (an extra three zeros) is refused instead of recorded.
 */
export const DRAWER_AMOUNT_MAX = '1000000.00';

export type DrawerResult = 'balanced' | 'long' | 'short';

export interface CloseOutcome {
  readonly expected: Amount;
  readonly counted: Amount;
  /** counted − expected */
  readonly difference: Amount;
  readonly result: DrawerResult;
}

/** An amount as PostgreSQL returns numeric(18,2): an exact two-place string. */
export function amountFromDb(value: string): Amount {
  return parseAmount(value, { allowNegative: true, field: 'numeric' });
}

/** A typed-in amount within the drawer bound; `signed` admits negatives (corrections, floats). */
export function drawerAmount(value: string, field: string, signed = false): Amount {
  const amount = parseAmount(value, { field, allowNegative: signed });
  if (amount.abs().gt(parseAmount(DRAWER_AMOUNT_MAX))) {
    throw new AppError('AMOUNT_OUT_OF_RANGE', {
      message: `Amount must not exceed ${DRAWER_AMOUNT_MAX} either way`,
      details: { field, max: DRAWER_AMOUNT_MAX },
    });
  }
  return amount;
}

export function checkMovementSign(kind: CashKind, amount: Amount): void {
  const sign = signOf[kind];
  const ok =
    !amount.isZero() &&
    (sign === 'either' || (sign === 'in' ? amount.isPositive() : amount.isNegative()));
  if (!ok) {
    throw new AppError('CASH_MOVEMENT_INVALID', {
      message:
        sign === 'either'
          ? 'A cash movement must not be zero'
          : `A ${kind} movement must be ${sign === 'in' ? 'positive' : 'negative'}`,
      details: { kind, amount: amount.toString() },
    });
  }
}

export function expectedCash(openingFloat: Amount, movements: Iterable<Amount>): Amount {
  return openingFloat.add(sumAmounts(movements));
}

export function resultOf(difference: Amount): DrawerResult {
  return difference.isZero() ? 'balanced' : difference.isPositive() ? 'long' : 'short';
}

export function closeOutcome(expected: Amount, counted: Amount): CloseOutcome {
  const difference = counted.sub(expected);
  return { expected, counted, difference, result: resultOf(difference) };
}

/**
 * A payout may not take the drawer below nothing: cash that is not there cannot be handed over.
 * Money coming in is always accepted, even into a drawer a correction has pushed negative.
 */
export function checkCashAvailable(running: Amount, amount: Amount): void {
  const after = running.add(amount);
  if (amount.isNegative() && after.isNegative()) {
    throw new AppError('DRAWER_CASH_INSUFFICIENT', {
      details: { expectedCash: running.toString(), amount: amount.toString() },
    });
  }
}
