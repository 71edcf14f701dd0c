import { describe, expect, it } from 'vitest';
import { Amount, Rate, parseAmount } from '@citycard/core/money';
import { computeCommission, inForce, subsidyRuleFor } from './commission.js';
import type { FeeSchedule, SubsidyRule, TypeAggregate } from './fee.types.js';

const a = (s: string): Amount => parseAmount(s, { allowNegative: true });

function schedule(over: Partial<FeeSchedule> = {}): FeeSchedule {
  return {
    id: 's1',
    operatorId: 'bus',
    version: 1,
    effectiveFrom: '2026-01-01',
    effectiveTo: null,
    fixedFee: Amount.zero,
    dailyMin: null,
    dailyMax: null,
    rates: { '*': Rate.parse('0.015') },
    ...over,
  };
}

function agg(type: string, gross: string, count = 1, chargeableCount = count): TypeAggregate {
  return {
    operatorId: 'bus',
    type,
    count,
    chargeableCount,
    gross: a(gross),
    lateCount: 0,
    lateGross: Amount.zero,
  };
}

describe('commission', () => {
  it('rounds the rate on the aggregate half-even, once per type', () => {
    // 0.015 × 150.00 = 2.25 exactly; 0.015 × 1.50 = 0.0225 → 0.02 (half-even keeps the even fen).
    const r = computeCommission(schedule(), [
      agg('purchase', '150.00'),
      agg('transit_flat', '1.50'),
    ]);
    expect(r.byType.get('purchase')?.toString()).toBe('2.25');
    expect(r.byType.get('transit_flat')?.toString()).toBe('0.02');
    expect(r.total.toString()).toBe('2.27');
  });

  it('uses a type rate before the default and adds the fixed fee per chargeable transaction', () => {
    const s = schedule({
      rates: { '*': Rate.parse('0.01'), purchase: Rate.parse('0.02') },
      fixedFee: a('0.05'),
    });
    const r = computeCommission(s, [
      agg('purchase', '100.00', 10),
      agg('transit_correction', '-2.00', 2, 0),
    ]);
    expect(r.byType.get('purchase')?.toString()).toBe('2.50');
    expect(r.byType.get('transit_correction')?.toString()).toBe('-0.02');
    expect(r.total.toString()).toBe('2.48');
  });

  it('holds the day within its minimum and maximum', () => {
    const min = computeCommission(schedule({ dailyMin: a('5.00') }), [agg('purchase', '10.00')]);
    expect(min.total.toString()).toBe('5.00');
    const none = computeCommission(schedule({ dailyMin: a('5.00') }), []);
    expect(none.total.toString()).toBe('0.00');
    const max = computeCommission(schedule({ dailyMax: a('1.00') }), [agg('purchase', '1000.00')]);
    expect(max.total.toString()).toBe('1.00');
  });

  it('charges nothing without a schedule', () => {
    expect(computeCommission(null, [agg('purchase', '99.99')]).total.toString()).toBe('0.00');
  });

  it('picks the highest version in force on the day', () => {
    const list = [
      schedule({ id: 'v1', version: 1, effectiveFrom: '2026-01-01' }),
      schedule({ id: 'v2', version: 2, effectiveFrom: '2026-03-01', effectiveTo: '2026-04-01' }),
    ];
    expect(inForce(list, '2026-02-28')?.id).toBe('v1');
    expect(inForce(list, '2026-03-01')?.id).toBe('v2');
    expect(inForce(list, '2026-04-01')?.id).toBe('v1');
    expect(inForce(list, '2025-12-31')).toBeUndefined();
  });

  it("prefers an operator's own subsidy rule to the rule for all operators", () => {
    const rule = (id: string, operatorId: string | null): SubsidyRule => ({
      id,
      operatorId,
      riderCategoryId: 'student',
      version: 1,
      rate: Rate.parse('0.5'),
      effectiveFrom: '2026-01-01',
      effectiveTo: null,
    });
    const rules = [rule('all', null), rule('own', 'bus')];
    expect(subsidyRuleFor(rules, 'bus', 'student', '2026-05-01')?.id).toBe('own');
    expect(subsidyRuleFor(rules, 'metro', 'student', '2026-05-01')?.id).toBe('all');
    expect(subsidyRuleFor(rules, 'metro', 'senior', '2026-05-01')).toBeUndefined();
  });
});
