import { randomBytes, randomUUID } from 'node:crypto';
import {
  blocksFromReport,
  buildLoadPlan,
  buildPersonalisationPlan,
  buildReadPlan,
  decodeCardImage,
  deriveCardKeys,
  LAYOUT_V1,
  testMasterKeySet,
  type CardImage,
  type CardKeys,
  type CardPlan,
  type ClassicCardIo,
  type IssuerInfo,
  type PlanReport,
} from '@citycard/core/card';
import { runPlan } from '@citycard/core/card';

/** Test master keys: deterministic, never used outside tests, the bench and the demo. */
export const TEST_MASTERS = testMasterKeySet(Buffer.from('citycard reader-agent tests'), 1);

/** A stock card UID as a factory hands them out (NXP 4-byte NUID, first byte not 0x08). */
export function stockUid(): Buffer {
  return Buffer.concat([Buffer.from([0x04]), randomBytes(3)]);
}

export function testIssuerInfo(cardNumber = '3100000000000017'): IssuerInfo {
  return {
    cardNumber,
    issuedOn: '2026-11-27',
    expiresOn: '2031-11-27',
    status: 'active',
    layoutVersion: 1,
    keyVersion: TEST_MASTERS.version,
    concession: 'FULL',
    concessionUntil: null,
  };
}

export function cardKeysFor(uid: Buffer): CardKeys {
  return deriveCardKeys(TEST_MASTERS, uid);
}

export function personalisationPlan(uid: Buffer, keys: CardKeys): CardPlan {
  return buildPersonalisationPlan({
    planId: randomUUID(),
    uid,
    issuer: testIssuerInfo(),
    cardholderRef: randomBytes(16),
    keys,
  });
}

/** Reads every part of the card with key A and decodes it. */
export async function readCard(
  io: ClassicCardIo,
  keys: CardKeys,
): Promise<{ report: PlanReport; image: CardImage; blocks: Map<number, Buffer> }> {
  const report = await runPlan(
    io,
    buildReadPlan({ planId: randomUUID(), uid: io.identity.uid, keys }),
  );
  const blocks = blocksFromReport(report);
  return { report, image: decodeCardImage(blocks, io.identity.uid, keys.purseMacKey), blocks };
}

/** A top-up plan from what was just read (balance, counter and the record block as a guard). */
export function topUpPlan(
  uid: Buffer,
  keys: CardKeys,
  read: { balanceFen: number; counter: number; record: Buffer },
  amountFen: number,
): CardPlan {
  const newBalanceFen = read.balanceFen + amountFen;
  const counter = read.counter + 1;
  return buildLoadPlan({
    planId: randomUUID(),
    uid,
    keys,
    current: { balanceFen: read.balanceFen, counter: read.counter },
    newBalanceFen,
    expectRecord: read.record,
    history: {
      at: Math.floor(Date.now() / 1000),
      kind: 'load',
      amountFen,
      balanceAfterFen: newBalanceFen,
      terminalRef: 1,
      counterLow: counter & 0xff,
    },
  });
}

export const PURSE_RECORD_BLOCK = LAYOUT_V1.blocks.purseRecord;
