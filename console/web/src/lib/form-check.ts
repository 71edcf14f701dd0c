import { parseMoneyInput, toFen } from './money';

/** Why a typed value is refused; each has a message in both languages (form.<problem>). */
export type Problem =
  | 'required'
  | 'format'
  | 'tooLong'
  | 'amount'
  | 'rate'
  | 'date'
  | 'afterFrom'
  | 'minAboveMax'
  | 'duplicate'
  | 'email';

export type Problems<F extends string> = Partial<Record<F, Problem>>;

export type Checked<F extends string, B> =
  { readonly ok: true; readonly body: B } | { readonly ok: false; readonly problems: Problems<F> };

/** An operator or party id as clearing accepts it. */
export const PARTY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A fraction from 0 to 1 with at most ten places: "0.015" is 1.5 %. */
const RATE = /^(?:0(?:\.\d{1,10})?|1(?:\.0{1,10})?)$/;

/** Collects the problems of a form's fields; the body is built only when there are none. */
export class FormCheck<F extends string> {
  readonly problems: Problems<F> = {};

  flag(field: F, problem: Problem | undefined): void {
    if (problem !== undefined && this.problems[field] === undefined) this.problems[field] = problem;
  }

  result<B>(body: () => B): Checked<F, B> {
    return Object.keys(this.problems).length === 0
      ? { ok: true, body: body() }
      : { ok: false, problems: this.problems };
  }
}

export function textProblem(value: string, max: number, required: boolean): Problem | undefined {
  const s = value.trim();
  if (s === '') return required ? 'required' : undefined;
  return s.length > max ? 'tooLong' : undefined;
}

export function dayProblem(value: string, required: boolean): Problem | undefined {
  if (value === '') return required ? 'required' : undefined;
  return DAY.test(value) ? undefined : 'date';
}

export function rateProblem(value: string): Problem | undefined {
  const s = value.normalize('NFKC').trim();
  if (s === '') return 'required';
  return RATE.test(s) ? undefined : 'rate';
}

export function normaliseRate(value: string): string {
  return value.normalize('NFKC').trim();
}

/** An optional amount: '' is none (null), anything else must be an amount. */
export function optionalAmount(value: string): { amount: string | null; problem?: Problem } {
  if (value.trim() === '') return { amount: null };
  const amount = parseMoneyInput(value);
  return amount === undefined ? { amount: null, problem: 'amount' } : { amount };
}

export function amountsInOrder(min: string | null, max: string | null): boolean {
  return min === null || max === null || toFen(min) <= toFen(max);
}

export function nullIfEmpty(value: string): string | null {
  const s = value.trim();
  return s === '' ? null : s;
}
