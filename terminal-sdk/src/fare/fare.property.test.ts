import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Amount, parseAmount } from '@citycard/core/money';
import {
  applyConcession,
  EMPTY_RIDER_STATE,
  priceDay,
  priceTap,
  SAMPLE_CITY_FARE_SET as fares,
  serviceDayOf,
  unixSeconds,
  type CardFareProfile,
  type DayCharge,
  type TapInput,
} from './index.js';

const STATIONS = [
  'north-gate',
  'university',
  'peoples-square',
  'central-station',
  'old-town',
  'riverside',
  'airport-road',
] as const;
/** Zone of each station (A, A, B, B, B, C, C): the oracle for the metro fare, written apart. */
const ZONE = [0, 0, 1, 1, 1, 2, 2];
const metroFare = (i: number, j: number) =>
  parseAmount(['2.00', '3.00', '4.00'][Math.abs((ZONE[i] ?? 0) - (ZONE[j] ?? 0))] ?? '');
const CAPS: Record<string, string> = { adult: '12.00', student: '9.00', child: '6.00' };

const DAY0 = Date.parse('2026-11-23T04:00:00+08:00');
const timeArb = fc.integer({ min: 0, max: 2 * 86_400 - 1 }).map((s) => new Date(DAY0 + s * 1000));

const busTap = fc
  .record({
    at: timeArb,
    routeId: fc.constantFrom('J1', 'J2', 'J3', 'L10', 'L11'),
  })
  .map(({ at, routeId }): TapInput => ({
    at,
    routeId,
    operatorId: routeId.startsWith('J') ? 'jiangbei-bus' : 'lakeside-bus',
    mode: 'flat',
  }));
const metroTap = fc
  .record({
    at: timeArb,
    stop: fc.constantFrom(...STATIONS),
    mode: fc.constantFrom('entry' as const, 'exit' as const),
  })
  .map(({ at, stop, mode }): TapInput => ({
    at,
    operatorId: 'city-metro',
    routeId: 'M1',
    stopId: stop,
    mode,
  }));
const tapsArb = fc.array(fc.oneof(busTap, metroTap), { maxLength: 30 });
const cardArb: fc.Arbitrary<CardFareProfile> = fc.record({
  concession: fc.constantFrom('FULL', 'STUDENT', 'CHILD', 'SENIOR', 'UNKNOWN'),
  concessionUntil: fc.constantFrom(null, '2026-11-23', '2030-01-01'),
});

const dayOf = (c: DayCharge) => serviceDayOf(fares, unixSeconds(c.tap.at));
const byDay = (charges: readonly DayCharge[]) => {
  const days = new Map<number, DayCharge[]>();
  for (const c of charges) days.set(dayOf(c), [...(days.get(dayOf(c)) ?? []), c]);
  return [...days.values()];
};
const plain = (charges: readonly DayCharge[]) =>
  charges.map((c) => [c.tap.at.getTime(), c.type, c.amount.toString(), c.fare]);

describe('fare engine properties (sample city)', () => {
  it('never lets a day’s running total go negative, and charges ≥ 0 except corrections', () => {
    fc.assert(
      fc.property(cardArb, tapsArb, (card, taps) => {
        for (const day of byDay(priceDay(fares, card, taps).charges)) {
          let running = Amount.zero;
          for (const c of day) {
            if (c.type === 'transit_correction') expect(c.amount.isPositive()).toBe(false);
            else expect(c.amount.isNegative()).toBe(false);
            running = running.add(c.amount);
            expect(running.isNegative()).toBe(false);
          }
        }
      }),
    );
  });

  it('never charges more than the daily cap in a service day', () => {
    fc.assert(
      fc.property(cardArb, tapsArb, (card, taps) => {
        for (const day of byDay(priceDay(fares, card, taps).charges)) {
          const cap = CAPS[day[0]?.fare.riderCategoryId ?? ''];
          if (cap === undefined) continue;
          let running = Amount.zero;
          for (const c of day) {
            running = running.add(c.amount);
            expect(running.lte(parseAmount(cap))).toBe(true);
          }
        }
      }),
    );
  });

  it('prices a card’s day the same whatever order its taps are uploaded in', () => {
    fc.assert(
      fc.property(cardArb, tapsArb, fc.func(fc.integer()), (card, taps, key) => {
        const shuffled = [...taps].sort((a, b) => key(a) - key(b) || 0).reverse();
        const a = priceDay(fares, card, taps);
        const b = priceDay(fares, card, shuffled);
        expect(plain(b.charges)).toEqual(plain(a.charges));
        expect(b.total.eq(a.total)).toBe(true);
        expect(b.finalState).toEqual(a.finalState);
      }),
    );
  });

  it('charges nothing to a free concession', () => {
    fc.assert(
      fc.property(tapsArb, (taps) => {
        const day = priceDay(fares, { concession: 'SENIOR', concessionUntil: null }, taps);
        expect(day.charges.every((c) => c.amount.isZero())).toBe(true);
      }),
    );
  });

  it('charges entry + correction = the distance fare for the rider', () => {
    const pair = fc.record({
      card: cardArb,
      from: fc.integer({ min: 0, max: 6 }),
      to: fc.integer({ min: 0, max: 6 }),
      start: fc.integer({ min: 0, max: 18 * 3600 }),
      ride: fc.integer({ min: 0, max: 180 * 60 }),
    });
    fc.assert(
      fc.property(pair, ({ card, from, to, start, ride }) => {
        const entryAt = new Date(DAY0 + start * 1000);
        const tap = (mode: 'entry' | 'exit', i: number, t: Date): TapInput => ({
          at: t,
          operatorId: 'city-metro',
          routeId: 'M1',
          stopId: STATIONS[i] ?? '',
          mode,
        });
        const entry = priceTap(fares, {
          card,
          tap: tap('entry', from, entryAt),
          state: EMPTY_RIDER_STATE,
        });
        const exitAt = new Date(entryAt.getTime() + ride * 1000);
        const exit = priceTap(fares, {
          card,
          tap: tap('exit', to, exitAt),
          state: entry.nextState,
        });
        expect(exit.type).toBe('transit_correction');
        const category = fares.riderCategories.find(
          (c) => c.riderCategoryId === entry.fare.riderCategoryId,
        );
        const expected = applyConcession(
          category?.concession ?? { type: 'none' },
          metroFare(from, to),
        );
        expect(entry.amount.add(exit.amount).toString()).toBe(expected.toString());
        expect(exit.nextState.journey).toBeNull();
      }),
    );
  });

  it('discounts a transfer within the 90-minute window and not after it', () => {
    const gap = fc.integer({ min: 0, max: 4 * 3600 });
    fc.assert(
      fc.property(gap, fc.integer({ min: 8 * 3600, max: 16 * 3600 }), (seconds, start) => {
        const first: TapInput = {
          at: new Date(DAY0 - 4 * 3600 * 1000 + start * 1000),
          operatorId: 'jiangbei-bus',
          routeId: 'J1',
          mode: 'flat',
        };
        const second: TapInput = {
          at: new Date(first.at.getTime() + seconds * 1000),
          operatorId: 'lakeside-bus',
          routeId: 'L10',
          mode: 'flat',
        };
        const card = { concession: 'FULL', concessionUntil: null };
        const [, c] = priceDay(fares, card, [first, second]).charges;
        const within = seconds <= 90 * 60;
        expect(c?.fare.transfer).toBe(within);
        expect(c?.amount.toString()).toBe(within ? '0.50' : '1.50');
      }),
    );
  });
});
