import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { deriveCardKeys, MAD_KEY_A, testMasterKeySet } from './keys.js';

const UID = Buffer.from('04A1B2C3', 'hex');
const SEED = Buffer.from('citycard unit test seed');

describe('deriveCardKeys', () => {
  it('is deterministic, per sector, per key type, per card and per version', () => {
    const k1 = deriveCardKeys(testMasterKeySet(SEED, 1), UID);
    const again = deriveCardKeys(testMasterKeySet(SEED, 1), UID);
    const other = deriveCardKeys(testMasterKeySet(SEED, 1), Buffer.from('04A1B2C4', 'hex'));
    const v2 = deriveCardKeys(testMasterKeySet(SEED, 2), UID);
    expect(k1.keyVersion).toBe(1);
    expect(again.sector(3)).toEqual(k1.sector(3));
    expect(again.purseMacKey).toEqual(k1.purseMacKey);
    const keys = new Set<string>();
    for (let s = 1; s <= 5; s++) {
      keys.add(k1.sector(s).keyA.toString('hex'));
      keys.add(k1.sector(s).keyB.toString('hex'));
      expect(k1.sector(s).keyA).toHaveLength(6);
      expect(other.sector(s).keyB).not.toEqual(k1.sector(s).keyB);
      expect(v2.sector(s).keyB).not.toEqual(k1.sector(s).keyB);
    }
    expect(keys.size).toBe(10);
    expect(k1.purseMacKey).toHaveLength(16);
    expect(v2.purseMacKey).not.toEqual(k1.purseMacKey);
  });

  it('uses the public MAD key A in sector 0 and transport keys in free sectors', () => {
    const keys = deriveCardKeys(testMasterKeySet(SEED), UID);
    expect(keys.sector(0).keyA).toEqual(MAD_KEY_A);
    expect(keys.sector(0).keyB).not.toEqual(MAD_KEY_A);
    expect(keys.sector(9).keyA.toString('hex')).toBe('ffffffffffff');
    expect(() => keys.sector(16)).toThrow(AppError);
  });

  it('wipes every key it holds', () => {
    const keys = deriveCardKeys(testMasterKeySet(SEED), UID);
    const held = [keys.purseMacKey, keys.sector(0).keyA, keys.sector(2).keyB];
    keys.wipe();
    for (const b of held) expect(b.every((x) => x === 0)).toBe(true);
    // The public MAD key constant is untouched.
    expect(MAD_KEY_A.toString('hex')).toBe('a0a1a2a3a4a5');
  });

  it('refuses a bad version or system id', () => {
    const masters = testMasterKeySet(SEED);
    expect(() => deriveCardKeys({ ...masters, version: 0 }, UID)).toThrow(AppError);
    expect(() => deriveCardKeys({ ...masters, systemId: Buffer.alloc(3) }, UID)).toThrow(AppError);
  });
});
