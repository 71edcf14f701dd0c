import { AppError } from '@citycard/core/errors';

/** City code (4) + product digits (2) + serial (9) + Luhn check digit (1). */
export const CARD_NUMBER_LENGTH = 16;
export const MAX_SERIAL = 999_999_999n;

const CITY_CODE = /^\d{4}$/;
const PRODUCT_DIGITS = /^\d{2}$/;
const DIGITS = /^\d+$/;

export type CardNumberProblem =
  'CARD_NUMBER_LENGTH_INVALID' | 'CARD_NUMBER_NOT_DIGITS' | 'CARD_NUMBER_CHECK_DIGIT_INVALID';

export interface CardNumberParts {
  readonly cityCode: string;
  readonly productDigits: string;
  readonly serial: bigint;
}

/** The Luhn digit that makes `payload` followed by it pass the mod-10 check. */
export function luhnCheckDigit(payload: string): number {
  if (!DIGITS.test(payload)) throw new TypeError('Luhn payload must be digits');
  let sum = 0;
  // Counting from the right of the payload, the digit next to the check digit is doubled.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    const d = payload.charCodeAt(i) - 48;
    sum += double ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
  }
  return (10 - (sum % 10)) % 10;
}

export function composeCardNumber(parts: CardNumberParts): string {
  if (!CITY_CODE.test(parts.cityCode)) throw new TypeError('City code must be 4 digits');
  if (!PRODUCT_DIGITS.test(parts.productDigits)) {
    throw new TypeError('Product digits must be 2 digits');
  }
  if (parts.serial < 1n || parts.serial > MAX_SERIAL) {
    throw new RangeError('Card serial out of range');
  }
  const payload = parts.cityCode + parts.productDigits + parts.serial.toString().padStart(9, '0');
  return payload + String(luhnCheckDigit(payload));
}

/** What is wrong with a card number, checked in the order length, digits, check digit. */
export function cardNumberProblem(value: string): CardNumberProblem | undefined {
  if (value.length !== CARD_NUMBER_LENGTH) return 'CARD_NUMBER_LENGTH_INVALID';
  if (!DIGITS.test(value)) return 'CARD_NUMBER_NOT_DIGITS';
  const payload = value.slice(0, -1);
  if (String(luhnCheckDigit(payload)) !== value.slice(-1)) return 'CARD_NUMBER_CHECK_DIGIT_INVALID';
  return undefined;
}

export function isValidCardNumber(value: string): boolean {
  return cardNumberProblem(value) === undefined;
}

/** Throws the precise code; the number itself stays out of the error (it is a card number). */
export function assertCardNumber(value: string): string {
  const problem = cardNumberProblem(value);
  if (problem !== undefined) {
    throw new AppError(problem, {
      details: { field: 'cardNumber', length: value.length, expectedLength: CARD_NUMBER_LENGTH },
    });
  }
  return value;
}

export function parseCardNumber(value: string): CardNumberParts {
  assertCardNumber(value);
  return {
    cityCode: value.slice(0, 4),
    productDigits: value.slice(4, 6),
    serial: BigInt(value.slice(6, 15)),
  };
}
