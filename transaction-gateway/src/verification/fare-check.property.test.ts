import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Amount } from '@citycard/core/money';
import {
  EMPTY_RIDER_STATE,
  SAMPLE_CITY_FARE_SET,
  priceTap,
  type RiderState,
  type TapInput,
} from '@citycard/terminal-sdk/fare';
import type { TransactionRecord } from '@citycard/terminal-sdk/protocol';
import { fareMatches } from './fare-check.js';

const STATIONS = ['north-gate', 'university', 'peoples-square', 'old-town', 'airport-road'];
const CONCESSIONS = ['FULL', 'STUDENT', 'CHILD', 'SENIOR'];
const ROUTES = [
  { operatorId: 'jiangbei-bus', routeId: 'J1' },
  { operatorId: 'jiangbei-bus', routeId: 'J2' },
  { operatorId: 'lakeside-bus', routeId: 'L10' },
];

const ride = fc.oneof(
  fc.record({ kind: fc.constant('bus' as const), route: fc.constantFrom(...ROUTES) }),
  fc.record({
    kind: fc.constant('metro' as const),
    from: fc.constantFrom(...STATIONS),
    to: fc.constantFrom(...STATIONS),
  }),
);

/** A day of rides a few minutes to an hour apart, from a random morning in 2026. */
const day = fc.record({
  start: fc.date({
    min: new Date('2026-01-05T21:00:00Z'),
    max: new Date('2026-12-20T21:00:00Z'),
    noInvalidDate: true,
  }),
  gaps: fc.array(fc.integer({ min: 2, max: 60 }), { minLength: 1, maxLength: 12 }),
  rides: fc.array(ride, { minLength: 12, maxLength: 12 }),
  concession: fc.constantFrom(...CONCESSIONS),
});

type Day = typeof day extends fc.Arbitrary<infer T> ? T : never;

function tapsOf(d: Day): TapInput[] {
  const taps: TapInput[] = [];
  let at = d.start.getTime();
  d.gaps.forEach((gap, i) => {
    at += gap * 60_000;
    const r = d.rides[i];
    if (r === undefined) return;
    if (r.kind === 'bus') {
      taps.push({ at: new Date(at), ...r.route, mode: 'flat' });
    } else {
      const base = { operatorId: 'city-metro', routeId: 'M1' };
      taps.push({ at: new Date(at), ...base, stopId: r.from, mode: 'entry' });
      at += 20 * 60_000;
      taps.push({ at: new Date(at), ...base, stopId: r.to, mode: 'exit' });
    }
  });
  return taps;
}

function recordOf(tap: TapInput, priced: ReturnType<typeof priceTap>): TransactionRecord {
  const before = Amount.fromFen(5000n);
  return {
    v: 1,
    terminalId: 't1',
    sequence: 1,
    type: priced.type,
    cardNumber: '3100000000000001',
    uid: 'AABBCCDD',
    purseCounter: 1,
    amount: priced.amount.toString(),
    balanceBefore: before.toString(),
    balanceAfter: before.sub(priced.amount).toString(),
    occurredAt: tap.at.toISOString(),
    operatorId: tap.operatorId,
    location: { routeId: tap.routeId },
    fare: priced.fare,
    mac: '0'.repeat(32),
  };
}

describe('fareMatches', () => {
  it('accepts every tap the fare engine prices, through transfers, caps and corrections', () => {
    fc.assert(
      fc.property(day, (d) => {
        let state: RiderState = EMPTY_RIDER_STATE;
        const card = { concession: d.concession, concessionUntil: null };
        for (const tap of tapsOf(d)) {
          const priced = priceTap(SAMPLE_CITY_FARE_SET, { card, tap, state });
          state = priced.nextState;
          expect(fareMatches(recordOf(tap, priced), SAMPLE_CITY_FARE_SET, d.concession)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a ride charged above the concession price or under another category', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: 500 }), (d, extraFen) => {
        const tap = tapsOf(d).find((t) => t.mode === 'flat');
        if (tap === undefined) return;
        const card = { concession: d.concession, concessionUntil: null };
        const priced = priceTap(SAMPLE_CITY_FARE_SET, { card, tap, state: EMPTY_RIDER_STATE });
        const dearer = { ...priced, amount: priced.amount.add(Amount.fromFen(BigInt(extraFen))) };
        expect(fareMatches(recordOf(tap, dearer), SAMPLE_CITY_FARE_SET, d.concession)).toBe(false);
        const other = d.concession === 'FULL' ? 'STUDENT' : 'FULL';
        expect(fareMatches(recordOf(tap, priced), SAMPLE_CITY_FARE_SET, other)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
