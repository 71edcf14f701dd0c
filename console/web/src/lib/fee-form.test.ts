import { describe, expect, it } from 'vitest';
import { EMPTY_FEE_FORM, EMPTY_SUBSIDY_FORM, checkFeeForm, checkSubsidyForm } from './fee-form';

const valid = {
  ...EMPTY_FEE_FORM,
  operatorId: 'bus-1',
  effectiveFrom: '2026-12-01',
  rates: [
    { type: '*', rate: '0.015' },
    { type: 'ride', rate: '０.02' },
  ],
};

describe('checkFeeForm', () => {
  it('builds the body clearing takes, amounts as two-place strings', () => {
    const r = checkFeeForm({ ...valid, fixedFee: '¥0.1', dailyMin: '', dailyMax: '1,000' });
    expect(r).toEqual({
      ok: true,
      body: {
        operatorId: 'bus-1',
        effectiveFrom: '2026-12-01',
        effectiveTo: null,
        fixedFee: '0.10',
        dailyMin: null,
        dailyMax: '1000.00',
        rates: { '*': '0.015', ride: '0.02' },
      },
    });
  });

  it('names each field that is wrong', () => {
    const r = checkFeeForm({
      operatorId: 'bus 1',
      effectiveFrom: '2026-12-01',
      effectiveTo: '2026-12-01',
      fixedFee: '0.001',
      dailyMin: '10',
      dailyMax: '5',
      rates: [
        { type: 'ride', rate: '1.5' },
        { type: 'ride', rate: '' },
      ],
    });
    expect(r).toEqual({
      ok: false,
      problems: {
        operatorId: 'format',
        effectiveTo: 'afterFrom',
        fixedFee: 'amount',
        dailyMax: 'minAboveMax',
        'rates.0.rate': 'rate',
        'rates.1.type': 'duplicate',
        'rates.1.rate': 'required',
      },
    });
  });

  it('accepts rates from 0 to 1 with up to ten places only', () => {
    const rate = (value: string) =>
      checkFeeForm({ ...valid, rates: [{ type: '*', rate: value }] }).ok;
    expect(['0', '1', '0.5', '1.0', '0.0000000001'].map(rate)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['1.01', '2', '-0.1', '0.00000000001', '.5', '5%'].map(rate)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('needs an operator, a start day and at least one rate', () => {
    const r = checkFeeForm({ ...EMPTY_FEE_FORM, rates: [] });
    expect(r.ok ? {} : r.problems).toEqual({
      operatorId: 'required',
      effectiveFrom: 'required',
      rates: 'required',
    });
  });
});

describe('checkSubsidyForm', () => {
  it('sends no operator as null: the rule is for every operator', () => {
    const r = checkSubsidyForm({
      ...EMPTY_SUBSIDY_FORM,
      riderCategoryId: ' senior ',
      rate: '0.5',
      effectiveFrom: '2026-12-01',
      effectiveTo: '2027-01-01',
    });
    expect(r).toEqual({
      ok: true,
      body: {
        operatorId: null,
        riderCategoryId: 'senior',
        rate: '0.5',
        effectiveFrom: '2026-12-01',
        effectiveTo: '2027-01-01',
      },
    });
  });

  it('refuses a missing category and a bad rate', () => {
    const r = checkSubsidyForm({ ...EMPTY_SUBSIDY_FORM, effectiveFrom: '2026-12-01', rate: 'x' });
    expect(r.ok ? {} : r.problems).toEqual({ riderCategoryId: 'required', rate: 'rate' });
  });
});
