import { describe, expect, it } from 'vitest';
import { encodeAccessBits, validateSectorAccess } from './access-bits.js';
import { keyedSectors, LAYOUT_V1, sectorRole, sectorSetup } from './layout.js';

describe('layout v1', () => {
  it('keys sectors 0–5 and names their roles', () => {
    expect(keyedSectors(LAYOUT_V1)).toEqual([0, 1, 2, 3, 4, 5]);
    const roles = Array.from({ length: 16 }, (_, s) => sectorRole(LAYOUT_V1, s));
    expect(roles).toEqual([
      'mad',
      'issuer',
      'purse',
      'transit',
      'history',
      'history',
      ...Array<string>(10).fill('free'),
    ]);
  });

  it('puts every block in a keyed sector and never on a trailer or block 0', () => {
    const b = LAYOUT_V1.blocks;
    const all = [
      b.issuerInfo,
      b.issuerExtra,
      b.cardholderRef,
      b.purseValue,
      b.purseBackup,
      b.purseRecord,
      b.transitLastTap,
      b.transitCounters,
      b.transitJourney,
      ...b.history,
    ];
    expect(new Set(all).size).toBe(all.length);
    for (const block of all) {
      expect(block % 4).not.toBe(3);
      expect(block).toBeGreaterThan(3);
      expect(keyedSectors(LAYOUT_V1)).toContain(block >> 2);
    }
  });

  it('passes validateSectorAccess for every keyed sector: key B rewrites all it must', () => {
    for (const sector of keyedSectors(LAYOUT_V1)) {
      const { access } = sectorSetup(LAYOUT_V1, sector);
      const writeData = sector === 0 ? ([1, 2] as const) : ([0, 1, 2] as const);
      expect(() =>
        validateSectorAccess(access, {
          issuerKey: 'B',
          writeData: [...writeData],
          rewriteTrailer: true,
        }),
      ).not.toThrow();
    }
  });

  it('gives the MAD sector the AN10787 access bits 78 77 88 and GPB C1', () => {
    const mad = sectorSetup(LAYOUT_V1, 0);
    expect(encodeAccessBits(mad.access).toString('hex')).toBe('787788');
    expect(mad.gpb).toBe(0xc1);
    expect(sectorSetup(LAYOUT_V1, 2).access).toEqual({ data: [6, 6, 4], trailer: 3 });
    expect(() => sectorSetup(LAYOUT_V1, 9)).toThrow();
  });
});
