import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesCmac } from '../crypto/index.js';
import { AppError } from '../errors/index.js';
import {
  decodePurse,
  decodePurseRecord,
  encodePurseRecord,
  purseMac,
  purseUpdateWrites,
  type PurseBlocks,
} from './purse.js';
import { encodeValueBlock } from './value-block.js';

const UID = Buffer.from('04A1B2C3', 'hex');
const KEY = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');

type Blocks = Map<number, Buffer>;

function apply(blocks: Blocks, balance: number, counter: number, upTo = 3): void {
  const writes = purseUpdateWrites({
    uid: UID,
    macKey: KEY,
    newBalanceFen: balance,
    newCounter: counter,
    lastKind: 'load',
  });
  for (const w of writes.slice(0, upTo)) blocks.set(w.block, w.data);
}

function read(blocks: Blocks): PurseBlocks {
  const get = (n: number) => blocks.get(n) ?? Buffer.alloc(16);
  return { value: get(8), backup: get(9), record: get(10) };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
}

describe('purse MAC and record', () => {
  it('is the first 8 bytes of AES-CMAC over CCP1 ‖ uid ‖ balance BE ‖ counter BE', () => {
    const expected = aesCmac(
      KEY,
      Buffer.concat([Buffer.from('CCP1'), UID, Buffer.from('000004D200000007', 'hex')]),
    ).subarray(0, 8);
    expect(purseMac(KEY, { uid: UID, balanceFen: 1234, counter: 7 })).toEqual(expected);
  });

  it('round-trips the record block', () => {
    const mac = Buffer.from('0102030405060708', 'hex');
    const b = encodePurseRecord({ counter: 0xfffffffe, mac, lastKind: 'refund' });
    expect(b.toString('hex')).toBe('fffffffe010203040506070806000000');
    expect(decodePurseRecord(b)).toEqual({ counter: 0xfffffffe, mac, lastKind: 'refund' });
    expect(codeOf(() => decodePurseRecord(Buffer.alloc(16)))).toBe('CARD_DATA_INVALID');
  });

  it('writes backup, then record (the commit point), then value', () => {
    const writes = purseUpdateWrites({
      uid: UID,
      macKey: KEY,
      newBalanceFen: 500,
      newCounter: 1,
      lastKind: 'load',
    });
    expect(writes.map((w) => w.block)).toEqual([9, 10, 8]);
    expect(writes[0]?.data).toEqual(encodeValueBlock(500, 9));
    expect(writes[2]?.data).toEqual(encodeValueBlock(500, 8));
  });
});

describe('decodePurse', () => {
  it('reads a consistent purse from the value block', () => {
    const blocks: Blocks = new Map();
    apply(blocks, 1000, 3);
    expect(decodePurse(read(blocks), UID, KEY)).toEqual({
      balanceFen: 1000,
      counter: 3,
      source: 'value',
      consistent: true,
    });
  });

  it('decodes any sequence of updates torn at any write to the old or the new state', () => {
    const balance = fc.integer({ min: 0, max: 2 ** 31 - 1 });
    fc.assert(
      fc.property(
        balance,
        fc.array(balance, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (initial, updates, tearSeed) => {
          const blocks: Blocks = new Map();
          apply(blocks, initial, 0);
          let state = { balanceFen: initial, counter: 0 };
          const tornAt = tearSeed % updates.length;
          for (const [i, next] of updates.entries()) {
            const counter = state.counter + 1;
            if (i < tornAt) {
              apply(blocks, next, counter);
              state = { balanceFen: next, counter };
              continue;
            }
            const writesDone = tearSeed % 4;
            apply(blocks, next, counter, writesDone);
            const got = decodePurse(read(blocks), UID, KEY);
            const seen = { balanceFen: got.balanceFen, counter: got.counter };
            const newState = { balanceFen: next, counter };
            if (writesDone < 2) expect(seen).toEqual(state);
            else expect(seen).toEqual(newState);
            const same = next === state.balanceFen;
            expect(got.consistent).toBe(same || writesDone === 0 || writesDone === 3);
            return;
          }
        },
      ),
    );
  });

  it('refuses a tampered balance, a tampered counter and a cloned card', () => {
    const blocks: Blocks = new Map();
    apply(blocks, 1000, 3);
    const tampered = new Map(blocks);
    tampered.set(8, encodeValueBlock(99_999, 8));
    tampered.set(9, encodeValueBlock(99_999, 9));
    expect(codeOf(() => decodePurse(read(tampered), UID, KEY))).toBe('PURSE_MAC_INVALID');
    const counter = new Map(blocks);
    const record = Buffer.from(blocks.get(10) ?? Buffer.alloc(16));
    record.writeUInt32BE(2, 0);
    counter.set(10, record);
    expect(codeOf(() => decodePurse(read(counter), UID, KEY))).toBe('PURSE_MAC_INVALID');
    const clone = Buffer.from('04A1B2C4', 'hex');
    expect(codeOf(() => decodePurse(read(blocks), clone, KEY))).toBe('PURSE_MAC_INVALID');
  });

  it('falls back to the vouched backup when only the value block was tampered with', () => {
    const blocks: Blocks = new Map();
    apply(blocks, 1000, 3);
    blocks.set(8, encodeValueBlock(99_999, 8));
    expect(decodePurse(read(blocks), UID, KEY)).toMatchObject({
      balanceFen: 1000,
      source: 'backup',
      consistent: false,
    });
  });

  it('refuses a value block that is not one, unless the vouched backup stands in', () => {
    const blocks: Blocks = new Map();
    apply(blocks, 1000, 3);
    blocks.set(8, Buffer.alloc(16, 0xaa));
    expect(decodePurse(read(blocks), UID, KEY)).toMatchObject({
      balanceFen: 1000,
      source: 'backup',
    });
    blocks.set(9, encodeValueBlock(5, 9));
    expect(codeOf(() => decodePurse(read(blocks), UID, KEY))).toBe('VALUE_BLOCK_INVALID');
  });

  it('survives any number of torn updates when each starts from what it read', () => {
    const balance = fc.integer({ min: 0, max: 2 ** 31 - 1 });
    const update = fc.record({ next: balance, writesDone: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(balance, fc.array(update, { minLength: 1, maxLength: 12 }), (initial, steps) => {
        const blocks: Blocks = new Map();
        apply(blocks, initial, 0);
        let committed = { balanceFen: initial, counter: 0 };
        for (const { next, writesDone } of steps) {
          const before = decodePurse(read(blocks), UID, KEY);
          expect({ balanceFen: before.balanceFen, counter: before.counter }).toEqual(committed);
          const counter = before.counter + 1;
          const writes = purseUpdateWrites({
            uid: UID,
            macKey: KEY,
            newBalanceFen: next,
            newCounter: counter,
            lastKind: 'purchase',
            from: before.source,
          });
          for (const w of writes.slice(0, writesDone)) blocks.set(w.block, w.data);
          if (writesDone >= 2) committed = { balanceFen: next, counter };
        }
        const after = decodePurse(read(blocks), UID, KEY);
        expect({ balanceFen: after.balanceFen, counter: after.counter }).toEqual(committed);
      }),
      { numRuns: 500 },
    );
  });

  it('uses the stale value block as scratch after a tear between commit and value write', () => {
    const writes = purseUpdateWrites({
      uid: UID,
      macKey: KEY,
      newBalanceFen: 500,
      newCounter: 2,
      lastKind: 'purchase',
      from: 'backup',
    });
    expect(writes.map((w) => w.block)).toEqual([8, 10, 9]);
  });
});
