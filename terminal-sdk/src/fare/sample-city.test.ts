import { describe, expect, it } from 'vitest';
import {
  EMPTY_RIDER_STATE,
  priceDay,
  pricePurchase,
  priceTap,
  SAMPLE_CITY_FARE_SET as fares,
  type CardFareProfile,
  type TapInput,
} from './index.js';
import { parseAmount } from '@citycard/core/money';

const adult: CardFareProfile = { concession: 'FULL', concessionUntil: null };
const student: CardFareProfile = { concession: 'STUDENT', concessionUntil: '2027-07-31' };
const senior: CardFareProfile = { concession: 'SENIOR', concessionUntil: null };

/** Local time in the sample city (UTC+8); 2026-11-23 is a Monday. */
const at = (local: string) => new Date(`${local}:00+08:00`);
const bus = (time: string, routeId: string): TapInput => ({
  at: at(time),
  operatorId: routeId.startsWith('J') ? 'jiangbei-bus' : 'lakeside-bus',
  routeId,
  mode: 'flat',
});
const metro = (time: string, mode: 'entry' | 'exit', stopId: string): TapInput => ({
  at: at(time),
  operatorId: 'city-metro',
  routeId: 'M1',
  stopId,
  mode,
});

const workedDay: TapInput[] = [
  bus('2026-11-23T06:30', 'J1'), // early bird
  bus('2026-11-23T07:10', 'L10'), // transfer to the other company: 1.50 − 1.00
  metro('2026-11-23T07:30', 'entry', 'north-gate'), // holds the maximum
  metro('2026-11-23T07:55', 'exit', 'old-town'), // zones A→B 3.00, transfer −1.00
  bus('2026-11-23T12:00', 'J2'), // the window from 06:30 has closed
  bus('2026-11-23T12:30', 'J3'), // free change within Jiangbei
  bus('2026-11-23T13:00', 'J1'), // the free change is used up
  metro('2026-11-23T17:30', 'entry', 'central-station'),
  metro('2026-11-23T17:50', 'exit', 'airport-road'), // zones B→C 3.00
  bus('2026-11-23T18:30', 'L11'), // transfer from the metro leg that departed 17:30
  bus('2026-11-23T21:00', 'J1'), // 2.00 but only 1.00 left under the 12.00 cap
  bus('2026-11-23T22:00', 'J2'), // free change
  bus('2026-11-23T23:00', 'L10'), // capped to zero
  bus('2026-11-24T04:30', 'J1'), // a new service day (it starts at 04:00)
];

describe('the sample city, a worked day', () => {
  it('charges an adult as the README tells it', () => {
    const day = priceDay(fares, adult, workedDay);
    const rows = day.charges.map((c) => [
      c.type,
      c.amount.toString(),
      c.fare.fareProductId,
      c.fare.transfer,
      c.fare.capApplied,
    ]);
    expect(rows).toEqual([
      ['transit_flat', '1.00', 'jiangbei-early', false, false],
      ['transit_flat', '0.50', 'lakeside-single', true, false],
      ['transit_entry', '4.00', 'metro-3-zones', false, false],
      ['transit_correction', '-2.00', 'metro-2-zones', true, false],
      ['transit_flat', '2.00', 'jiangbei-single', false, false],
      ['transit_flat', '0.00', 'jiangbei-single', true, false],
      ['transit_flat', '2.00', 'jiangbei-single', false, false],
      ['transit_entry', '4.00', 'metro-3-zones', false, false],
      ['transit_correction', '-1.00', 'metro-2-zones', false, false],
      ['transit_flat', '0.50', 'lakeside-single', true, false],
      ['transit_flat', '1.00', 'jiangbei-single', false, true],
      ['transit_flat', '0.00', 'jiangbei-single', true, false],
      ['transit_flat', '0.00', 'lakeside-single', false, true],
      ['transit_flat', '2.00', 'jiangbei-single', false, false],
    ]);
    expect(day.total.toString()).toBe('14.00');
    expect(day.finalState.daily).toEqual({ day: 9824, spentFen: 200, rides: 1 });
  });

  it('records base and discount so the gateway can explain a charge', () => {
    const [, transfer, , exit] = priceDay(fares, adult, workedDay).charges;
    expect(transfer?.fare).toMatchObject({
      baseAmount: '1.50',
      discount: '1.00',
      legGroupId: 'lakeside-bus',
    });
    expect(exit?.fare).toMatchObject({
      baseAmount: '3.00',
      discount: '1.00',
      riderCategoryId: 'adult',
    });
  });

  it('charges a student 25 % less, rounded half-even to the fen', () => {
    const day = priceDay(fares, student, [
      bus('2026-11-23T08:00', 'J1'), // 2.00 × 0.75
      bus('2026-11-23T08:20', 'L10'), // (1.50 − 1.00) × 0.75 = 0.375 → 0.38
      bus('2026-11-23T11:00', 'L10'), // 1.50 × 0.75 = 1.125 → 1.12
    ]);
    expect(day.charges.map((c) => c.amount.toString())).toEqual(['1.50', '0.38', '1.12']);
  });

  it('rides a student as an adult once the concession has ended', () => {
    const ended = { concession: 'STUDENT', concessionUntil: '2026-11-22' };
    const priced = priceTap(fares, {
      card: ended,
      tap: bus('2026-11-23T08:00', 'J1'),
      state: EMPTY_RIDER_STATE,
    });
    expect(priced.amount.toString()).toBe('2.00');
    expect(priced.fare.riderCategoryId).toBe('adult');
  });

  it('lets a senior ride free, metro included', () => {
    const day = priceDay(fares, senior, workedDay);
    expect(day.charges.every((c) => c.amount.isZero())).toBe(true);
  });

  it('keeps a missing tap-out at the maximum fare', () => {
    const day = priceDay(fares, adult, [
      metro('2026-11-23T09:00', 'entry', 'university'),
      metro('2026-11-23T15:00', 'entry', 'old-town'), // no exit after the first entry
      metro('2026-11-23T15:20', 'exit', 'central-station'),
    ]);
    expect(day.charges.map((c) => [c.type, c.amount.toString()])).toEqual([
      ['transit_entry', '4.00'],
      ['transit_entry', '4.00'],
      ['transit_correction', '-2.00'],
    ]);
  });

  it('charges the maximum for an exit without an entry, or after the journey time limit', () => {
    const day = priceDay(fares, adult, [
      metro('2026-11-23T09:00', 'exit', 'university'),
      metro('2026-11-23T10:00', 'entry', 'university'),
      metro('2026-11-23T13:01', 'exit', 'university'),
    ]);
    expect(day.charges.map((c) => [c.type, c.amount.toString()])).toEqual([
      ['transit_exit', '4.00'],
      ['transit_entry', '4.00'],
      ['transit_exit', '4.00'],
    ]);
  });

  it('puts a shop purchase on the last tap only', () => {
    const flat = priceTap(fares, {
      card: adult,
      tap: bus('2026-11-23T08:00', 'J1'),
      state: EMPTY_RIDER_STATE,
    });
    const bought = pricePurchase(fares, {
      at: at('2026-11-23T08:30'),
      operatorId: 'metro-kiosks',
      shopId: 'kiosk-central',
      amount: parseAmount('6.80'),
      state: flat.nextState,
    });
    expect(bought.nextState.lastTap).toMatchObject({
      kind: 'purchase',
      operatorId: 103,
      fareFen: 680,
    });
    expect(bought.nextState.daily).toEqual(flat.nextState.daily);
    expect(bought.nextState.transfer).toEqual(flat.nextState.transfer);
  });

  it('refuses taps that do not fit the fare set', () => {
    const state = EMPTY_RIDER_STATE;
    const bad: TapInput[] = [
      { ...bus('2026-11-23T08:00', 'J1'), routeId: 'X9' },
      { ...bus('2026-11-23T08:00', 'J1'), operatorId: 'lakeside-bus' },
      { ...bus('2026-11-23T08:00', 'J1'), mode: 'entry' },
      { ...metro('2026-11-23T08:00', 'entry', 'north-gate'), stopId: 'nowhere' },
    ];
    for (const tap of bad) {
      expect(() => priceTap(fares, { card: adult, tap, state })).toThrow(
        expect.objectContaining({ code: 'FARE_TAP_INVALID' }),
      );
    }
  });
});
