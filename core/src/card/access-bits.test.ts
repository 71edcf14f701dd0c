import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import {
  buildTrailer,
  decodeAccessBits,
  encodeAccessBits,
  keyBReadable,
  permits,
  sectorAccessProblems,
  TRANSPORT_ACCESS,
  TRANSPORT_KEY,
  transportTrailer,
  validateSectorAccess,
  type AccessCondition,
  type SectorAccess,
  type SectorNeeds,
} from './access-bits.js';

const CONDITIONS = [0, 1, 2, 3, 4, 5, 6, 7] as const;

function allCombinations(): SectorAccess[] {
  const out: SectorAccess[] = [];
  for (const a of CONDITIONS)
    for (const b of CONDITIONS)
      for (const c of CONDITIONS)
        for (const t of CONDITIONS) out.push({ data: [a, b, c], trailer: t });
  return out;
}

const condition = fc.constantFrom<AccessCondition>(...CONDITIONS);
const sectorAccessArb: fc.Arbitrary<SectorAccess> = fc.record({
  data: fc.tuple(condition, condition, condition),
  trailer: condition,
});

function reasonsOf(fn: () => void): string[] | null {
  try {
    fn();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('ACCESS_BITS_INVALID');
    return (error as AppError).details?.reasons as string[];
  }
}

describe('encodeAccessBits / decodeAccessBits', () => {
  it('gives the transport configuration as FF 07 80', () => {
    expect(encodeAccessBits(TRANSPORT_ACCESS).toString('hex')).toBe('ff0780');
    expect(transportTrailer().toString('hex')).toBe('ffffffffffffff078069ffffffffffff');
  });

  it('matches the published bytes of common configurations', () => {
    // AN10787 MAD sector: data read A|B write B, trailer written with key B.
    expect(encodeAccessBits({ data: [4, 4, 4], trailer: 3 }).toString('hex')).toBe('787788');
    expect(encodeAccessBits({ data: [0, 0, 0], trailer: 3 }).toString('hex')).toBe('7f0788');
    expect(decodeAccessBits(Buffer.from('787788', 'hex'))).toEqual({
      data: [4, 4, 4],
      trailer: 3,
    });
  });

  it('round-trips all 8^4 combinations', () => {
    const all = allCombinations();
    expect(all).toHaveLength(4096);
    const seen = new Set<string>();
    const wrong: SectorAccess[] = [];
    for (const a of all) {
      const bytes = encodeAccessBits(a);
      seen.add(bytes.toString('hex'));
      const back = decodeAccessBits(bytes);
      const same = back.trailer === a.trailer && back.data.every((c, i) => c === a.data[i]);
      if (!same) wrong.push(a);
    }
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(4096);
  });

  it('refuses access bits with any single bit flipped (the card would brick the sector)', () => {
    fc.assert(
      fc.property(sectorAccessArb, fc.integer({ min: 0, max: 23 }), (a, bit) => {
        const bytes = encodeAccessBits(a);
        bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        expect(() => decodeAccessBits(bytes)).toThrow(AppError);
      }),
    );
  });
});

describe('permits (MF1S50yyX tables 7 and 8)', () => {
  it('follows the data block table', () => {
    const a = (c: AccessCondition): SectorAccess => ({ data: [c, c, c], trailer: 3 });
    expect(permits(a(0), 0, 'write', 'A')).toBe(true);
    expect(permits(a(2), 1, 'write', 'B')).toBe(false);
    expect(permits(a(4), 1, 'write', 'A')).toBe(false);
    expect(permits(a(4), 1, 'write', 'B')).toBe(true);
    expect(permits(a(6), 2, 'increment', 'A')).toBe(false);
    expect(permits(a(6), 2, 'increment', 'B')).toBe(true);
    expect(permits(a(6), 2, 'decrement', 'A')).toBe(true);
    expect(permits(a(1), 0, 'decrement', 'A')).toBe(true);
    expect(permits(a(1), 0, 'write', 'B')).toBe(false);
    expect(permits(a(3), 0, 'read', 'A')).toBe(false);
    expect(permits(a(3), 0, 'read', 'B')).toBe(true);
    expect(permits(a(5), 0, 'write', 'B')).toBe(false);
    expect(permits(a(7), 0, 'read', 'B')).toBe(false);
  });

  it('follows the trailer table', () => {
    const t = (c: AccessCondition): SectorAccess => ({ data: [0, 0, 0], trailer: c });
    expect(permits(t(1), 3, 'writeAccess', 'A')).toBe(true);
    expect(permits(t(1), 3, 'readKeyB', 'A')).toBe(true);
    expect(permits(t(3), 3, 'writeAccess', 'B')).toBe(true);
    expect(permits(t(3), 3, 'writeAccess', 'A')).toBe(false);
    expect(permits(t(3), 3, 'readKeyB', 'B')).toBe(false);
    expect(permits(t(4), 3, 'writeKeyA', 'B')).toBe(true);
    expect(permits(t(4), 3, 'writeAccess', 'B')).toBe(false);
    expect(permits(t(5), 3, 'writeAccess', 'B')).toBe(true);
    expect(permits(t(5), 3, 'writeKeyB', 'B')).toBe(false);
    expect(permits(t(6), 3, 'readAccess', 'B')).toBe(true);
    for (const c of CONDITIONS) expect(permits(t(c), 3, 'readKeyA', 'A')).toBe(false);
    // Data operations make no sense on a trailer, nor trailer operations on data.
    expect(permits(t(1), 3, 'write', 'A')).toBe(false);
    expect(permits(t(1), 0, 'writeKeyA', 'A')).toBe(false);
  });

  it('never lets key B do anything when the trailer makes it readable', () => {
    for (const a of allCombinations()) {
      if (!keyBReadable(a)) continue;
      expect([0, 1, 2]).toContain(a.trailer);
      for (const offset of [0, 1, 2] as const) {
        expect(permits(a, offset, 'read', 'B')).toBe(false);
      }
      expect(permits(a, 3, 'readAccess', 'B')).toBe(false);
    }
  });
});

describe('validateSectorAccess', () => {
  function allNeeds(): SectorNeeds[] {
    const subsets: (0 | 1 | 2)[][] = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
    return (['A', 'B'] as const).flatMap((issuerKey) =>
      subsets.flatMap((writeData) =>
        [false, true].flatMap((rewriteTrailer) =>
          [false, true].map((allowPermanent) => ({
            issuerKey,
            writeData,
            rewriteTrailer,
            allowPermanent,
          })),
        ),
      ),
    );
  }

  // The oracle restates the rules from `permits` alone.
  function meetsNeeds(a: SectorAccess, needs: SectorNeeds): boolean {
    const k = needs.issuerKey;
    const canAuth = k === 'A' || !keyBReadable(a);
    const trailerOk =
      !needs.rewriteTrailer ||
      (['writeKeyA', 'writeAccess', 'writeKeyB'] as const).every((op) => permits(a, 3, op, k));
    const dataOk = needs.writeData.every((o) => permits(a, o, 'write', k));
    const frozen = !permits(a, 3, 'writeAccess', 'A') && !permits(a, 3, 'writeAccess', 'B');
    return canAuth && trailerOk && dataOk && (!frozen || needs.allowPermanent === true);
  }

  it('finds reasons against exactly the combinations that do not meet the needs', () => {
    const wrong: string[] = [];
    for (const needs of allNeeds()) {
      for (const a of allCombinations()) {
        const reasons = sectorAccessProblems(a, needs);
        if (meetsNeeds(a, needs) !== (reasons.length === 0)) {
          wrong.push(JSON.stringify({ a, needs, reasons }));
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('passes or refuses every combination with reasons (issuer needs of the layout)', () => {
    const needs: SectorNeeds = { issuerKey: 'B', writeData: [0, 1, 2], rewriteTrailer: true };
    let passed = 0;
    const wrong: string[] = [];
    for (const a of allCombinations()) {
      try {
        validateSectorAccess(a, needs);
        passed++;
        if (!meetsNeeds(a, needs)) wrong.push(JSON.stringify(a));
      } catch (error) {
        const reasons = error instanceof AppError ? error.details?.reasons : undefined;
        const refused = error instanceof AppError && error.code === 'ACCESS_BITS_INVALID';
        if (!refused || !Array.isArray(reasons) || reasons.length === 0) {
          wrong.push(JSON.stringify(a));
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // Data 100 or 110 (or 000/011 where key B writes) with trailer 011 is all that qualifies.
    expect(passed).toBeGreaterThan(0);
    expect(passed).toBeLessThan(4096 / 8);
  });

  const issuerNeeds: SectorNeeds = { issuerKey: 'B', writeData: [0, 1, 2], rewriteTrailer: true };

  it('accepts the layout configuration (data 100, trailer 011) for key B', () => {
    expect(() => validateSectorAccess({ data: [4, 4, 4], trailer: 3 }, issuerNeeds)).not.toThrow();
    expect(() => validateSectorAccess({ data: [6, 6, 4], trailer: 3 }, issuerNeeds)).not.toThrow();
  });

  it('refuses a trailer that stops key B rewriting keys or access bits', () => {
    for (const trailer of [4, 5, 6, 7] as const) {
      const reasons = reasonsOf(() =>
        validateSectorAccess({ data: [4, 4, 4], trailer }, issuerNeeds),
      );
      expect(reasons, `trailer ${trailer}`).not.toBeNull();
      expect(reasons?.some((r) => r.includes('trailer'))).toBe(true);
    }
  });

  it('refuses key B as issuer key when the trailer makes it readable (transport)', () => {
    const reasons = reasonsOf(() => validateSectorAccess(TRANSPORT_ACCESS, issuerNeeds));
    expect(reasons?.some((r) => r.includes('readable'))).toBe(true);
  });

  it('refuses frozen trailers unless permanence is allowed', () => {
    const frozen: SectorAccess = { data: [2, 2, 2], trailer: 6 };
    const needs: SectorNeeds = { issuerKey: 'B', writeData: [], rewriteTrailer: false };
    expect(reasonsOf(() => validateSectorAccess(frozen, needs))).toEqual([
      'no key can ever change these access bits again (permanent)',
    ]);
    expect(() => validateSectorAccess(frozen, { ...needs, allowPermanent: true })).not.toThrow();
    expect(sectorAccessProblems({ data: [0, 0, 0], trailer: 7 }, needs)).toHaveLength(1);
  });

  it('refuses data blocks the issuer must write but cannot', () => {
    const reasons = reasonsOf(() =>
      validateSectorAccess({ data: [2, 4, 5], trailer: 3 }, issuerNeeds),
    );
    expect(reasons).toEqual(['key B cannot write data block 0', 'key B cannot write data block 2']);
  });
});

describe('buildTrailer', () => {
  it('lays out key A, access bits, GPB and key B', () => {
    const trailer = buildTrailer({
      keyA: Buffer.from('A0A1A2A3A4A5', 'hex'),
      keyB: Buffer.from('B0B1B2B3B4B5', 'hex'),
      access: { data: [4, 4, 4], trailer: 3 },
      gpb: 0xc1,
    });
    expect(trailer.toString('hex')).toBe('a0a1a2a3a4a5787788c1b0b1b2b3b4b5');
  });

  it('refuses keys of the wrong length', () => {
    expect(() =>
      buildTrailer({
        keyA: Buffer.alloc(5),
        keyB: TRANSPORT_KEY,
        access: TRANSPORT_ACCESS,
        gpb: 0,
      }),
    ).toThrow(AppError);
  });
});
