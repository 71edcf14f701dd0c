import {
  DAY,
  FormCheck,
  PARTY_ID,
  amountsInOrder,
  dayProblem,
  normaliseRate,
  optionalAmount,
  rateProblem,
  textProblem,
  type Checked,
  type Problem,
} from './form-check';
import { parseMoneyInput } from './money';

/** Every transaction type without a rate of its own. */
export const ANY_TYPE = '*';

export interface RateRow {
  readonly type: string;
  readonly rate: string;
}

export interface FeeForm {
  readonly operatorId: string;
  readonly effectiveFrom: string;
  readonly effectiveTo: string;
  readonly fixedFee: string;
  readonly dailyMin: string;
  readonly dailyMax: string;
  readonly rates: readonly RateRow[];
}

export interface FeeScheduleBody {
  operatorId: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  fixedFee: string;
  dailyMin: string | null;
  dailyMax: string | null;
  rates: Record<string, string>;
}

/** Form fields; a rate row's are `rates.<i>.type` and `rates.<i>.rate`. */
export type FeeField =
  | 'operatorId'
  | 'effectiveFrom'
  | 'effectiveTo'
  | 'fixedFee'
  | 'dailyMin'
  | 'dailyMax'
  | 'rates'
  | `rates.${number}.type`
  | `rates.${number}.rate`;

export const EMPTY_FEE_FORM: FeeForm = {
  operatorId: '',
  effectiveFrom: '',
  effectiveTo: '',
  fixedFee: '0.00',
  dailyMin: '',
  dailyMax: '',
  rates: [{ type: ANY_TYPE, rate: '' }],
};

function periodProblem(from: string, to: string): Problem | undefined {
  if (to === '' || !DAY.test(from) || !DAY.test(to)) return undefined;
  return to > from ? undefined : 'afterFrom';
}

function checkRates(check: FormCheck<FeeField>, rows: readonly RateRow[]): void {
  if (rows.length === 0) check.flag('rates', 'required');
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const type = row.type.trim();
    check.flag(`rates.${i}.type`, textProblem(type, 40, true));
    if (type !== '' && seen.has(type)) check.flag(`rates.${i}.type`, 'duplicate');
    seen.add(type);
    check.flag(`rates.${i}.rate`, rateProblem(row.rate));
  });
}

/** A new fee schedule version as typed, checked as clearing will check it. */
export function checkFeeForm(form: FeeForm): Checked<FeeField, FeeScheduleBody> {
  const check = new FormCheck<FeeField>();
  const operatorId = form.operatorId.trim();
  check.flag('operatorId', operatorId === '' ? 'required' : undefined);
  check.flag('operatorId', PARTY_ID.test(operatorId) ? undefined : 'format');
  check.flag('effectiveFrom', dayProblem(form.effectiveFrom, true));
  check.flag('effectiveTo', dayProblem(form.effectiveTo, false));
  check.flag('effectiveTo', periodProblem(form.effectiveFrom, form.effectiveTo));
  const fixedFee = form.fixedFee.trim() === '' ? '0.00' : parseMoneyInput(form.fixedFee);
  check.flag('fixedFee', fixedFee === undefined ? 'amount' : undefined);
  const min = optionalAmount(form.dailyMin);
  const max = optionalAmount(form.dailyMax);
  check.flag('dailyMin', min.problem);
  check.flag('dailyMax', max.problem);
  check.flag('dailyMax', amountsInOrder(min.amount, max.amount) ? undefined : 'minAboveMax');
  checkRates(check, form.rates);
  return check.result(() => ({
    operatorId,
    effectiveFrom: form.effectiveFrom,
    effectiveTo: form.effectiveTo === '' ? null : form.effectiveTo,
    fixedFee: fixedFee ?? '0.00',
    dailyMin: min.amount,
    dailyMax: max.amount,
    rates: Object.fromEntries(form.rates.map((r) => [r.type.trim(), normaliseRate(r.rate)])),
  }));
}

export interface SubsidyForm {
  /** Empty: every operator. */
  readonly operatorId: string;
  readonly riderCategoryId: string;
  readonly rate: string;
  readonly effectiveFrom: string;
  readonly effectiveTo: string;
}

export interface SubsidyRuleBody {
  operatorId: string | null;
  riderCategoryId: string;
  rate: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export type SubsidyField = keyof SubsidyForm;

export const EMPTY_SUBSIDY_FORM: SubsidyForm = {
  operatorId: '',
  riderCategoryId: '',
  rate: '',
  effectiveFrom: '',
  effectiveTo: '',
};

export function checkSubsidyForm(form: SubsidyForm): Checked<SubsidyField, SubsidyRuleBody> {
  const check = new FormCheck<SubsidyField>();
  const operatorId = form.operatorId.trim();
  check.flag('operatorId', operatorId === '' || PARTY_ID.test(operatorId) ? undefined : 'format');
  check.flag('riderCategoryId', textProblem(form.riderCategoryId, 64, true));
  check.flag('rate', rateProblem(form.rate));
  check.flag('effectiveFrom', dayProblem(form.effectiveFrom, true));
  check.flag('effectiveTo', dayProblem(form.effectiveTo, false));
  check.flag('effectiveTo', periodProblem(form.effectiveFrom, form.effectiveTo));
  return check.result(() => ({
    operatorId: operatorId === '' ? null : operatorId,
    riderCategoryId: form.riderCategoryId.trim(),
    rate: normaliseRate(form.rate),
    effectiveFrom: form.effectiveFrom,
    effectiveTo: form.effectiveTo === '' ? null : form.effectiveTo,
  }));
}
