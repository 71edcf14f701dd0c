import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { TRANSPORT_KEY } from './access-bits.js';
import { blocksFromReport, decodeCardImage } from './card-image.js';
import type { HistoryEntry } from './history.js';
import type { IssuerInfo } from './issuer-info.js';
import { deriveCardKeys, testMasterKeySet, type CardKeys } from './keys.js';
import { keyedSectors, LAYOUT_V1 } from './layout.js';
import type { CardPlan } from './plan.js';
import { runPlan } from './plan-runner.js';
import {
  buildLoadPlan,
  buildPersonalisationPlan,
  buildReadPlan,
  expectedTrailerReadback,
} from './plans.js';
import type { PurseState } from './purse.js';
import type { ClassicCardIo } from './types.js';
import { VirtualClassicCard } from './virtual-card.js';

const UID = Buffer.from('04A1B2C3', 'hex');
const PLAN_ID = '00000000-0000-4000-8000-000000000001';
const ISSUER: IssuerInfo = {
  cardNumber: '3100000000000017',
  issuedOn: '2026-11-27',
  expiresOn: '2036-11-26',
  status: 'active',
  layoutVersion: 1,
  keyVersion: 1,
  concession: 'FULL',
  concessionUntil: null,
};
const REF = Buffer.from('C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0', 'hex');

const keysFor = (): CardKeys => deriveCardKeys(testMasterKeySet(Buffer.from('golden')), UID);

function personalisation(keys: CardKeys, keyedFrom?: ReadonlySet<number>): CardPlan {
  return buildPersonalisationPlan({
    planId: PLAN_ID,
    uid: UID,
    issuer: ISSUER,
    cardholderRef: REF,
    keys,
    ...(keyedFrom && { keyedFrom }),
  });
}

async function readImage(card: VirtualClassicCard, keys: CardKeys) {
  card.present();
  const report = await runPlan(card, buildReadPlan({ planId: PLAN_ID, uid: UID, keys }));
  expect(report.outcome).toBe('completed');
  return { report, image: decodeCardImage(blocksFromReport(report), UID, keys.purseMacKey) };
}

function loadPlan(keys: CardKeys, record: Buffer, current: PurseState, newBalanceFen: number) {
  const counter = current.counter + 1;
  const history: HistoryEntry = {
    at: 1_800_000_000 + counter,
    kind: 'load',
    amountFen: newBalanceFen - current.balanceFen,
    balanceAfterFen: newBalanceFen,
    terminalRef: 7,
    counterLow: counter & 0xff,
  };
  const plan = buildLoadPlan({
    planId: PLAN_ID,
    uid: UID,
    keys,
    current,
    newBalanceFen,
    history,
    expectRecord: record,
  });
  return { plan, history };
}

/** The card as it is, except that command `n` (a write) is cut by removal. */
function cutWriteAt(card: VirtualClassicCard, n: number, applied: boolean): ClassicCardIo {
  let i = 0;
  return {
    identity: card.identity,
    authenticate: (block, keyType, key) => (i++, card.authenticate(block, keyType, key)),
    readBlock: (block) => (i++, card.readBlock(block)),
    writeBlock: (block, data) => {
      if (i++ === n) card.tearDuringNextWrite(applied);
      return card.writeBlock(block, data);
    },
  };
}

describe('buildPersonalisationPlan', () => {
  it('is stable for a fixed UID and keys (golden)', () => {
    const plan = personalisation(keysFor());
    const lines = plan.steps.map((s) => {
      switch (s.op) {
        case 'auth':
          return `auth ${s.block} ${s.keyType} ${s.key}${s.fallback ? ` / ${s.fallback.keyType} ${s.fallback.key}` : ''}`;
        case 'write':
          return `write ${s.block} ${s.data}`;
        case 'read':
          return `read ${s.block} ${s.expect ?? ''}`;
      }
    });
    expect(plan.purpose).toBe('personalise');
    expect(plan.uid).toBe('04A1B2C3');
    expect(lines).toMatchSnapshot();
  });

  it('writes data first, trailers after, and verifies with key B', () => {
    const keys = keysFor();
    const steps = personalisation(keys).steps;
    const writes = steps.filter((s) => s.op === 'write');
    const firstTrailer = writes.findIndex((s) => s.block % 4 === 3);
    expect(writes.slice(firstTrailer).every((s) => s.block % 4 === 3)).toBe(true);
    expect(writes.slice(firstTrailer)).toHaveLength(keyedSectors(LAYOUT_V1).length);
    expect(writes.some((s) => s.block === 0)).toBe(false);
    const lastWrite = steps.findLastIndex((s) => s.op === 'write');
    const verification = steps.slice(lastWrite + 1);
    expect(verification.filter((s) => s.op === 'auth').every((s) => s.keyType === 'B')).toBe(true);
    expect(verification.filter((s) => s.op === 'read').every((s) => s.expect)).toBe(true);
  });

  it('refuses a layout whose trailers would lock key B out', () => {
    const frozen = {
      ...LAYOUT_V1,
      access: {
        ...LAYOUT_V1.access,
        3: { access: { data: [4, 4, 4] as const, trailer: 6 as const }, gpb: 0 },
      },
    };
    expect(() =>
      buildPersonalisationPlan({
        planId: PLAN_ID,
        uid: UID,
        issuer: ISSUER,
        cardholderRef: REF,
        keys: keysFor(),
        layout: frozen,
      }),
    ).toThrow(expect.objectContaining({ code: 'ACCESS_BITS_INVALID' }));
  });

  it('reads a trailer back with both keys hidden', () => {
    const trailer = Buffer.from('A0A1A2A3A4A5787788C1B0B1B2B3B4B5', 'hex');
    expect(expectedTrailerReadback(trailer).toString('hex')).toBe(
      '000000000000787788c1000000000000',
    );
    const transport = Buffer.from('FFFFFFFFFFFFFF078069FFFFFFFFFFFF', 'hex');
    expect(expectedTrailerReadback(transport).toString('hex')).toBe(
      '000000000000ff078069ffffffffffff',
    );
  });
});

describe('personalise → read → load → read on the virtual card', () => {
  it('issues a card whose every part reads back', async () => {
    const keys = keysFor();
    const card = VirtualClassicCard.blank(UID);
    const report = await runPlan(card, personalisation(keys));
    expect(report.outcome).toBe('completed');
    expect(report.steps.filter((s) => s.usedFallback === true)).toHaveLength(0);

    const { image, report: read } = await readImage(card, keys);
    expect(image.issuer).toEqual(ISSUER);
    expect(image.cardholderRef).toEqual(REF);
    expect(image.purse).toEqual({ balanceFen: 0, counter: 0, source: 'value', consistent: true });
    expect(image.transit?.lastTap).toBeNull();
    expect(image.history).toEqual([]);
    expect(image.problems).toBeUndefined();

    const record = blocksFromReport(read).get(10) ?? Buffer.alloc(0);
    const { plan, history } = loadPlan(
      keys,
      record,
      { balanceFen: 0, counter: 0 } as PurseState,
      5000,
    );
    card.present();
    expect((await runPlan(card, plan)).outcome).toBe('completed');
    const after = await readImage(card, keys);
    expect(after.image.purse).toEqual({
      balanceFen: 5000,
      counter: 1,
      source: 'value',
      consistent: true,
    });
    expect(after.image.history).toEqual([history]);
  });

  it('refuses a load when the card changed since it was read', async () => {
    const keys = keysFor();
    const card = VirtualClassicCard.blank(UID);
    await runPlan(card, personalisation(keys));
    const { plan } = loadPlan(
      keys,
      Buffer.alloc(16),
      { balanceFen: 0, counter: 0 } as PurseState,
      100,
    );
    const report = await runPlan(card, plan);
    expect(report.outcome).toBe('readback_mismatch');
    expect(report.steps.filter((s) => s.op === 'write' && s.status === 'done')).toHaveLength(0);
  });

  it('recovers a personalisation cut at any step by running it again', async () => {
    const keys = keysFor();
    const plan = personalisation(keys);
    for (let n = 0; n < plan.steps.length; n++) {
      const card = VirtualClassicCard.blank(UID);
      card.tearAfter(n);
      const torn = await runPlan(card, plan);
      expect(torn.outcome, `tear after ${n}`).toBe('card_removed');
      expect(torn.completedSteps).toBe(n);
      card.present();
      // Which sectors already carry the new keys is what the issuer learns from the report.
      const keyed = new Set(
        plan.steps
          .slice(0, n)
          .flatMap((s) => (s.op === 'write' && s.block % 4 === 3 ? [s.block >> 2] : [])),
      );
      const again = await runPlan(card, personalisation(keys, keyed));
      expect(again.outcome, `recovery after ${n}`).toBe('completed');
    }
  });

  it('leaves the old or the new balance when a load is cut at any step', async () => {
    const keys = keysFor();
    const fresh = VirtualClassicCard.blank(UID);
    await runPlan(fresh, personalisation(keys));
    const { report: read } = await readImage(fresh, keys);
    const record = blocksFromReport(read).get(10) ?? Buffer.alloc(0);
    const { plan } = loadPlan(keys, record, { balanceFen: 0, counter: 0 } as PurseState, 777);
    const seen = new Set<string>();
    const cuts = plan.steps.flatMap((s, n) =>
      s.op === 'write'
        ? [
            { n, applied: null },
            { n, applied: true },
            { n, applied: false },
          ]
        : [{ n, applied: null }],
    );
    for (const { n, applied } of cuts) {
      const card = VirtualClassicCard.fromImage(UID, fresh.image());
      const io = applied === null ? card : cutWriteAt(card, n, applied);
      if (applied === null) card.tearAfter(n);
      const report = await runPlan(io, plan);
      expect(report.outcome).toBe('card_removed');
      expect(report.completedSteps).toBe(n);
      const { image } = await readImage(card, keys);
      const purse = image.purse as PurseState;
      const state = `${purse.balanceFen}/${purse.counter}`;
      expect(['0/0', '777/1'], `cut at ${n} (${String(applied)})`).toContain(state);
      seen.add(state);
    }
    expect(seen).toEqual(new Set(['0/0', '777/1']));
  });
});

describe('buildReadPlan and buildLoadPlan', () => {
  it('reads with key A, one authentication per sector', () => {
    const keys = keysFor();
    const plan = buildReadPlan({ planId: PLAN_ID, uid: UID, keys, sectors: ['purse', 'history'] });
    expect(plan.steps.map((s) => `${s.op} ${s.block}`)).toEqual([
      'auth 8',
      'read 8',
      'read 9',
      'read 10',
      'auth 16',
      'read 16',
      'read 17',
      'read 18',
      'auth 20',
      'read 20',
      'read 21',
      'read 22',
    ]);
    expect(plan.steps.filter((s) => s.op === 'auth').every((s) => s.keyType === 'A')).toBe(true);
  });

  it('refuses a history entry with the wrong counter and a bad UID', () => {
    const keys = keysFor();
    const { plan } = loadPlan(
      keys,
      Buffer.alloc(16),
      { balanceFen: 0, counter: 4 } as PurseState,
      1,
    );
    expect(plan.steps.map((s) => `${s.op} ${s.block}`)).toEqual([
      'auth 8',
      'read 10',
      'write 9',
      'write 10',
      'write 8',
      'read 8',
      'read 9',
      'read 10',
      'auth 20',
      'write 22',
      'read 22',
    ]);
    const history: HistoryEntry = {
      at: 1,
      kind: 'load',
      amountFen: 1,
      balanceAfterFen: 1,
      terminalRef: 1,
      counterLow: 3,
    };
    const input = {
      planId: PLAN_ID,
      uid: UID,
      keys,
      current: { balanceFen: 0, counter: 4 },
      newBalanceFen: 1,
      history,
      expectRecord: Buffer.alloc(16),
    };
    expect(() => buildLoadPlan(input)).toThrow(AppError);
    expect(() =>
      buildLoadPlan({ ...input, uid: Buffer.alloc(5), history: { ...history, counterLow: 5 } }),
    ).toThrow(AppError);
  });

  it('takes the UID as hex too, and refuses keys derived for another card', () => {
    const keys = keysFor();
    const plan = buildReadPlan({ planId: PLAN_ID, uid: '04a1b2c3', keys });
    expect(plan.uid).toBe('04A1B2C3');
    const other = deriveCardKeys(
      testMasterKeySet(Buffer.from('golden')),
      Buffer.from('04000001', 'hex'),
    );
    expect(() => buildReadPlan({ planId: PLAN_ID, uid: UID, keys: other })).toThrow(AppError);
    expect(() => buildReadPlan({ planId: PLAN_ID, uid: 'zz', keys })).toThrow(AppError);
  });

  it('never puts the transport key where a new key belongs', () => {
    const plan = personalisation(keysFor());
    const trailers = plan.steps.filter((s) => s.op === 'write' && s.block % 4 === 3);
    for (const t of trailers) {
      if (t.op !== 'write') continue;
      expect(t.data.slice(20)).not.toBe(TRANSPORT_KEY.toString('hex').toUpperCase());
    }
  });
});
