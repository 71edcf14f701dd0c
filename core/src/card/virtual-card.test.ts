import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import {
  buildTrailer,
  encodeAccessBits,
  permits,
  TRANSPORT_KEY,
  type AccessCondition,
  type AccessOp,
  type BlockOffset,
  type SectorAccess,
} from './access-bits.js';
import type { KeyType } from './types.js';
import { VirtualClassicCard } from './virtual-card.js';

const UID = Buffer.from('04A1B2C3', 'hex');
const KEY_A = Buffer.from('A1A1A1A1A1A1', 'hex');
const KEY_B = Buffer.from('B2B2B2B2B2B2', 'hex');
const DATA = Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
}

function cardWithSector1(access: SectorAccess): VirtualClassicCard {
  const image = VirtualClassicCard.blank(UID).image();
  image[7] = buildTrailer({ keyA: KEY_A, keyB: KEY_B, access, gpb: 0x69 });
  image[5] = Buffer.from(DATA);
  return VirtualClassicCard.fromImage(UID, image);
}

describe('VirtualClassicCard basics', () => {
  it('leaves the factory with UID, BCC and transport trailers', async () => {
    const card = VirtualClassicCard.blank(UID);
    expect(card.identity.kind).toBe('mifare-classic-1k');
    expect(card.identity.atr.toString('hex').toUpperCase()).toBe(
      '3B8F8001804F0CA000000306030001000000006A',
    );
    await card.authenticate(0, 'A', TRANSPORT_KEY);
    const block0 = await card.readBlock(0);
    expect(block0.subarray(0, 5).toString('hex')).toBe('04a1b2c3d4');
    // Key A reads as zeros; key B is readable under the transport condition.
    expect((await card.readBlock(3)).toString('hex')).toBe('000000000000ff078069ffffffffffff');
    expect(await codeOf(card.writeBlock(0, DATA))).toBe('CARD_ACCESS_DENIED');
  });

  it('drops the authentication on a wrong key and on an unauthenticated sector', async () => {
    const card = VirtualClassicCard.blank(UID);
    await card.authenticate(4, 'A', TRANSPORT_KEY);
    expect(await codeOf(card.readBlock(8))).toBe('CARD_NOT_AUTHENTICATED');
    expect(await codeOf(card.readBlock(4))).toBe('CARD_NOT_AUTHENTICATED');
    await card.authenticate(4, 'A', TRANSPORT_KEY);
    expect(await codeOf(card.authenticate(4, 'A', KEY_A))).toBe('CARD_AUTH_FAILED');
    expect(await codeOf(card.readBlock(4))).toBe('CARD_NOT_AUTHENTICATED');
    expect(await codeOf(card.readBlock(64))).toBe('CARD_BLOCK_INVALID');
  });

  it('takes key B but refuses every command with it while key B is readable', async () => {
    const card = VirtualClassicCard.blank(UID);
    await card.authenticate(4, 'B', TRANSPORT_KEY);
    expect(await codeOf(card.readBlock(4))).toBe('CARD_ACCESS_DENIED');
  });

  it('bricks a sector whose trailer gets malformed access bits', async () => {
    const card = VirtualClassicCard.blank(UID);
    await card.authenticate(4, 'A', TRANSPORT_KEY);
    const bad = Buffer.concat([
      TRANSPORT_KEY,
      Buffer.from('FF0700', 'hex'),
      Buffer.from([0x69]),
      TRANSPORT_KEY,
    ]);
    await card.writeBlock(7, bad);
    expect(await codeOf(card.authenticate(4, 'A', TRANSPORT_KEY))).toBe('CARD_AUTH_FAILED');
  });

  it('leaves the field after n successful commands and keeps its memory', async () => {
    const card = VirtualClassicCard.blank(UID);
    card.tearAfter(2);
    await card.authenticate(4, 'A', TRANSPORT_KEY);
    await card.writeBlock(4, DATA);
    expect(card.isPresent).toBe(false);
    expect(await codeOf(card.readBlock(4))).toBe('CARD_REMOVED');
    card.present();
    expect(await codeOf(card.readBlock(4))).toBe('CARD_NOT_AUTHENTICATED');
    await card.authenticate(4, 'A', TRANSPORT_KEY);
    expect(await card.readBlock(4)).toEqual(DATA);
    expect(card.stats).toEqual({ commands: 5, auths: 2, reads: 2, writes: 1 });
  });

  it('cuts a write by removal with or without its data applied', async () => {
    for (const applied of [true, false]) {
      const card = VirtualClassicCard.blank(UID);
      await card.authenticate(4, 'A', TRANSPORT_KEY);
      card.tearDuringNextWrite(applied);
      expect(await codeOf(card.writeBlock(5, DATA))).toBe('CARD_REMOVED');
      expect(card.isPresent).toBe(false);
      expect(card.image()[5]).toEqual(applied ? DATA : Buffer.alloc(16));
    }
  });
});

const condition = fc.constantFrom<AccessCondition>(0, 1, 2, 3, 4, 5, 6, 7);
const accessArb = fc.record({
  data: fc.tuple(condition, condition, condition),
  trailer: condition,
});

type Probe =
  | { kind: 'data'; offset: 0 | 1 | 2; op: 'read' | 'write' }
  | { kind: 'trailerRead' }
  | { kind: 'trailerChange'; op: 'writeKeyA' | 'writeAccess' | 'writeKeyB' };

const probeArb: fc.Arbitrary<Probe> = fc.oneof(
  fc.record({
    kind: fc.constant('data' as const),
    offset: fc.constantFrom(0 as const, 1 as const, 2 as const),
    op: fc.constantFrom('read' as const, 'write' as const),
  }),
  fc.constant({ kind: 'trailerRead' as const }),
  fc.record({
    kind: fc.constant('trailerChange' as const),
    op: fc.constantFrom('writeKeyA' as const, 'writeAccess' as const, 'writeKeyB' as const),
  }),
);

function changedTrailer(access: SectorAccess, op: AccessOp): Buffer {
  const keyA = op === 'writeKeyA' ? Buffer.from('C3C3C3C3C3C3', 'hex') : KEY_A;
  const keyB = op === 'writeKeyB' ? Buffer.from('D4D4D4D4D4D4', 'hex') : KEY_B;
  // Changing the GPB is a write of the access-bits part.
  const gpb = op === 'writeAccess' ? 0x42 : 0x69;
  return buildTrailer({ keyA, keyB, access, gpb });
}

async function probe(card: VirtualClassicCard, a: SectorAccess, k: KeyType, p: Probe) {
  const allowed = (offset: BlockOffset, op: AccessOp) => permits(a, offset, op, k);
  switch (p.kind) {
    case 'data': {
      const block = 4 + p.offset;
      const result = p.op === 'read' ? card.readBlock(block) : card.writeBlock(block, DATA);
      expect(await codeOf(result)).toBe(allowed(p.offset, p.op) ? 'ok' : 'CARD_ACCESS_DENIED');
      return;
    }
    case 'trailerRead': {
      const readAccess = allowed(3, 'readAccess');
      const readKeyB = allowed(3, 'readKeyB');
      if (!readAccess && !readKeyB) {
        expect(await codeOf(card.readBlock(7))).toBe('CARD_ACCESS_DENIED');
        return;
      }
      const got = await card.readBlock(7);
      expect(got.subarray(0, 6)).toEqual(Buffer.alloc(6));
      const bits = Buffer.concat([encodeAccessBits(a), Buffer.from([0x69])]);
      expect(got.subarray(6, 10)).toEqual(readAccess ? bits : Buffer.alloc(4));
      expect(got.subarray(10)).toEqual(readKeyB ? KEY_B : Buffer.alloc(6));
      return;
    }
    case 'trailerChange': {
      const result = await codeOf(card.writeBlock(7, changedTrailer(a, p.op)));
      expect(result).toBe(allowed(3, p.op) ? 'ok' : 'CARD_ACCESS_DENIED');
      return;
    }
  }
}

describe('VirtualClassicCard enforces access bits as permits says', () => {
  it('holds for random access conditions, keys and commands', async () => {
    await fc.assert(
      fc.asyncProperty(accessArb, fc.constantFrom<KeyType>('A', 'B'), probeArb, async (a, k, p) => {
        const card = cardWithSector1(a);
        await card.authenticate(4, k, k === 'A' ? KEY_A : KEY_B);
        await probe(card, a, k, p);
      }),
      { numRuns: 2000 },
    );
  });
});
