import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import {
  decodeHistoryEntry,
  encodeHistoryEntry,
  HISTORY_KINDS,
  historySlotBlock,
  type HistoryEntry,
} from './history.js';

const entryArb: fc.Arbitrary<HistoryEntry> = fc.record({
  at: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  kind: fc.constantFrom(...HISTORY_KINDS),
  amountFen: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  balanceAfterFen: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  terminalRef: fc.integer({ min: 0, max: 0xffff }),
  counterLow: fc.integer({ min: 0, max: 255 }),
});

describe('history', () => {
  it('round-trips, and an all-zero block is an empty slot', () => {
    fc.assert(
      fc.property(entryArb, (e) => {
        expect(decodeHistoryEntry(encodeHistoryEntry(e))).toEqual(e);
      }),
    );
    expect(decodeHistoryEntry(Buffer.alloc(16))).toBeNull();
  });

  it('lays an entry out big-endian', () => {
    const b = encodeHistoryEntry({
      at: 0x6746c600,
      kind: 'purchase',
      amountFen: -250,
      balanceAfterFen: 1750,
      terminalRef: 0x0102,
      counterLow: 9,
    });
    expect(b.toString('hex')).toBe('6746c60002ffffff06000006d6010209');
  });

  it('refuses an unknown kind', () => {
    const b = Buffer.alloc(16);
    b[4] = 9;
    expect(() => decodeHistoryEntry(b)).toThrow(AppError);
  });

  it('cycles through the six slots by purse counter', () => {
    const slots = Array.from({ length: 8 }, (_, c) => historySlotBlock(c));
    expect(slots).toEqual([16, 17, 18, 20, 21, 22, 16, 17]);
    expect(historySlotBlock(2 ** 32 - 1)).toBe(20);
  });
});
