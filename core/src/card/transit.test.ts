import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import {
  decodeTransitState,
  EMPTY_TRANSIT_STATE,
  encodeTransitState,
  TAP_KINDS,
  type TransitState,
} from './transit.js';

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const u8 = fc.integer({ min: 0, max: 255 });

const stateArb: fc.Arbitrary<TransitState> = fc.record({
  lastTap: fc.option(
    fc.record({
      at: u32,
      operatorId: u16,
      routeId: u16,
      stopId: u16,
      direction: fc.constantFrom(0 as const, 1 as const),
      kind: fc.constantFrom(...TAP_KINDS),
      fareFen: int32,
    }),
  ),
  transfer: fc.record({ windowStartAt: u32, count: u8, legGroup: u16 }),
  daily: fc.record({ day: u16, spentFen: u32, rides: u8 }),
  journey: fc.option(
    fc.record({ entryAt: u32, operatorId: u16, routeId: u16, stopId: u16, chargedFen: int32 }),
  ),
});

describe('transit state', () => {
  it('decodes all-zero blocks as the empty state, and encodes it as zeros', () => {
    const zero = Buffer.alloc(16);
    expect(decodeTransitState(zero, zero, zero)).toEqual(EMPTY_TRANSIT_STATE);
    const blocks = encodeTransitState(EMPTY_TRANSIT_STATE);
    expect([blocks.lastTap, blocks.counters, blocks.journey]).toEqual([zero, zero, zero]);
  });

  it('round-trips', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const b = encodeTransitState(s);
        expect(decodeTransitState(b.lastTap, b.counters, b.journey)).toEqual(s);
      }),
    );
  });

  it('never decodes a corrupted block back to the state written', () => {
    fc.assert(
      fc.property(
        stateArb,
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 1, max: 255 }),
        (s, which, at, xor) => {
          const b = encodeTransitState(s);
          const blocks = [b.lastTap, b.counters, b.journey] as const;
          const target = blocks[which] ?? b.lastTap;
          target[at] = (target[at] ?? 0) ^ xor;
          let decoded: TransitState | AppError;
          try {
            decoded = decodeTransitState(...blocks);
          } catch (error) {
            expect(error).toBeInstanceOf(AppError);
            return;
          }
          expect(decoded).not.toEqual(s);
        },
      ),
    );
  });

  it('refuses values that do not fit their bytes', () => {
    const tap = {
      at: 1,
      operatorId: 1,
      routeId: 1,
      stopId: 1,
      direction: 0 as const,
      kind: 'flat' as const,
      fareFen: 200,
    };
    expect(() =>
      encodeTransitState({ ...EMPTY_TRANSIT_STATE, lastTap: { ...tap, routeId: 70_000 } }),
    ).toThrow(AppError);
    expect(() =>
      encodeTransitState({ ...EMPTY_TRANSIT_STATE, daily: { day: 1, spentFen: -1, rides: 0 } }),
    ).toThrow(AppError);
  });
});
