import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Amount, Rate } from '@citycard/core/money';
import type { FeeSchedule, SubsidyRule, TypeAggregate } from '../fees/fee.types.js';
import { operatorPayable } from '../ledger/accounts.js';
import { sumPostings } from '../ledger/balance.js';
import { computeClearing } from './compute.js';
import { outputHash } from './hash.js';
import type { CashAggregate, ClearingInputs, DiscountAggregate } from './inputs.types.js';
import { CASH_CATEGORIES } from './inputs.types.js';

const DAY = '2026-05-04';
const OPERATORS = ['bus', 'metro', 'shop', 'ferry'];
const TYPES = ['purchase', 'transit_flat', 'transit_entry', 'transit_correction'];

const fen = (min: number, max: number) =>
  fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map((f) => Amount.fromFen(f));
const rate = fc
  .integer({ min: 0, max: 100_000 })
  .map((n) => Rate.parse((n / 1_000_000).toFixed(6)));

const typeAgg: fc.Arbitrary<TypeAggregate> = fc
  .record({
    operatorId: fc.constantFrom(...OPERATORS),
    type: fc.constantFrom(...TYPES),
    count: fc.integer({ min: 1, max: 10_000 }),
    gross: fen(-5_000, 50_000_000),
    late: fc.integer({ min: 0, max: 100 }),
  })
  .map((r) => ({
    operatorId: r.operatorId,
    type: r.type,
    count: r.count,
    chargeableCount: r.count,
    gross: r.gross,
    lateCount: Math.min(r.late, r.count),
    lateGross: Amount.zero,
  }));

const schedule = (operatorId: string): fc.Arbitrary<FeeSchedule> =>
  fc.record({
    id: fc.constant(`fs-${operatorId}`),
    operatorId: fc.constant(operatorId),
    version: fc.integer({ min: 1, max: 5 }),
    effectiveFrom: fc.constant('2026-01-01'),
    effectiveTo: fc.constant(null),
    fixedFee: fen(0, 20),
    dailyMin: fc.option(fen(0, 1_000)),
    dailyMax: fc.option(fen(100_000, 10_000_000)),
    rates: fc.record({ '*': rate, purchase: rate }),
  });

const discountAgg: fc.Arbitrary<DiscountAggregate> = fc.record({
  operatorId: fc.constantFrom(...OPERATORS),
  riderCategoryId: fc.constantFrom('STUDENT', 'SENIOR'),
  count: fc.integer({ min: 1, max: 1000 }),
  discount: fen(0, 1_000_000),
});

const cashAgg: fc.Arbitrary<CashAggregate> = fc.record({
  branchId: fc.constantFrom('b1', 'b2'),
  category: fc.constantFrom(...CASH_CATEGORIES),
  count: fc.integer({ min: 1, max: 100 }),
  amount: fen(-100_000, 100_000),
});

const subsidyRules: SubsidyRule[] = [
  {
    id: 'sr',
    operatorId: null,
    riderCategoryId: 'STUDENT',
    version: 1,
    rate: Rate.parse('0.5'),
    effectiveFrom: '2026-01-01',
    effectiveTo: null,
  },
];

const inputs: fc.Arbitrary<ClearingInputs> = fc
  .record({
    typeAggregates: fc.array(typeAgg, { maxLength: 20 }),
    discounts: fc.array(discountAgg, { maxLength: 6 }),
    adjustments: fc.array(
      fc.record({
        operatorId: fc.constantFrom(...OPERATORS),
        count: fc.constant(1),
        amount: fen(-10_000, 10_000).filter((x) => !x.isZero()),
      }),
      { maxLength: 3 },
    ),
    cash: fc.array(cashAgg, { maxLength: 8 }),
    loads: fc.record({ count: fc.nat(100), amount: fen(0, 1_000_000) }),
    schedules: fc.tuple(...OPERATORS.map((op) => fc.option(schedule(op)))),
  })
  .map((r) => ({
    day: DAY,
    ...r,
    schedules: new Map(
      r.schedules.flatMap((s) => (s === null ? [] : [[s.operatorId, s] as const])),
    ),
    subsidyRules,
  }));

const total = (xs: readonly Amount[]) => xs.reduce((s, x) => s.add(x), Amount.zero);

describe('clearing computation (properties)', () => {
  it('posts entries that each sum to zero, so the run does too', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const r = computeClearing(i);
        for (const e of r.entries) {
          expect(e.postings.length).toBeGreaterThanOrEqual(2);
          expect(sumPostings(e.postings).isZero()).toBe(true);
        }
        expect(sumPostings(r.entries.flatMap((e) => e.postings)).isZero()).toBe(true);
      }),
    );
  });

  it('Σ nets + Σ commissions = Σ gross + Σ subsidies + Σ adjustments, to the fen', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const r = computeClearing(i);
        const lhs = total(r.lines.map((l) => l.net)).add(total(r.lines.map((l) => l.commission)));
        const rhs = total(i.typeAggregates.map((a) => a.gross))
          .add(total(r.subsidies.map((s) => s.subsidy)))
          .add(total(i.adjustments.map((a) => a.amount)));
        expect(lhs.eq(rhs)).toBe(true);
        if (r.subsidies.length === 0 && i.adjustments.length === 0) {
          expect(lhs.eq(total(i.typeAggregates.map((a) => a.gross)))).toBe(true);
        }
      }),
    );
  });

  it('nets positions to zero and leaves each payable at minus its net', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const r = computeClearing(i);
        expect(total(r.positions.map((p) => p.position)).isZero()).toBe(true);
        const postings = r.entries.flatMap((e) => e.postings);
        for (const line of r.lines) {
          const code = operatorPayable(line.operatorId).code;
          const payable = total(postings.filter((p) => p.account === code).map((p) => p.amount));
          expect(payable.eq(line.net.neg())).toBe(true);
        }
      }),
    );
  });

  it('gives the same output hash whatever order or split the rows come in', () => {
    fc.assert(
      fc.property(inputs, fc.nat(), (i, seed) => {
        const shuffled = <T>(xs: readonly T[]): T[] =>
          xs
            .map((x, k) => ({ x, key: (k * 7919 + seed) % 104729 }))
            .sort((a, b) => a.key - b.key)
            .map((p) => p.x);
        // Split each aggregate into two rows of the same operator and type, as a partial GROUP BY would.
        const split = i.typeAggregates.flatMap((a) => {
          const half = Amount.fromFen(a.gross.toFen() / 2n);
          const c = Math.floor(a.count / 2);
          const l = Math.floor(a.lateCount / 2);
          return [
            { ...a, count: c, chargeableCount: c, gross: half, lateCount: l },
            {
              ...a,
              count: a.count - c,
              chargeableCount: a.count - c,
              gross: a.gross.sub(half),
              lateCount: a.lateCount - l,
            },
          ];
        });
        const other: ClearingInputs = {
          ...i,
          typeAggregates: shuffled(split),
          discounts: shuffled(i.discounts),
          cash: shuffled(i.cash),
          adjustments: shuffled(i.adjustments),
        };
        expect(outputHash(DAY, 'in', computeClearing(other))).toBe(
          outputHash(DAY, 'in', computeClearing(i)),
        );
      }),
    );
  });
});
