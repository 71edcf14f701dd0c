import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deriveCardKeys,
  runPlan,
  testMasterKeySet,
  toHex,
  VirtualClassicCard,
  type CardPlan,
} from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import type { PlanRow } from '../agent/plan.repository.js';
import type { CardRow } from '../cards/card.repository.js';
import { cardholderRefFor, issuerInfoFor, type PersonalisationSpec } from './issuer-info.js';
import { personalisationKind } from './personalisation-kind.js';
import { provenKeyedSectors, readbackMatches } from './readback.js';

const UID = '04A1B2C3D4E5F6';
const masters = testMasterKeySet(Buffer.from('golden plan seed'), 1);

const card: CardRow = {
  id: '6f1c2a4e-8b3d-4c5e-9f60-7a8b9c0d1e2f',
  uid: UID,
  batchId: null,
  importedAt: new Date('2026-01-05T02:00:00Z'),
  cardNumber: '3100020000000425',
  productCode: 'student',
  cardholderId: '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70',
  state: 'personalised',
  deposit: '20.00',
  // 23:30 UTC is already the next day in Shanghai.
  issuedAt: new Date('2026-03-01T23:30:00Z'),
  expiresOn: '2032-03-02',
  replaces: null,
  replacedBy: null,
  version: 2,
  updatedAt: new Date('2026-03-01T23:30:00Z'),
  layoutVersion: null,
  keyVersion: null,
  personalisation: 'not_started',
  keyedSectors: [],
};

const products: Queryable = {
  query: (() => Promise.resolve({ rows: [{ concession: 'STUDENT' }] })) as never,
};

async function specFor(keyedFrom: number[] = []): Promise<PersonalisationSpec> {
  return {
    layoutVersion: 1,
    issuer: await issuerInfoFor(products, card, 1),
    cardholderRef: cardholderRefFor(card),
    keyedFrom,
  };
}

function planRow(spec: PersonalisationSpec, purpose: 'personalise' | 'recover' = 'personalise') {
  return {
    id: '11111111-2222-4333-8444-555555555555',
    uid: UID,
    purpose,
    keyVersion: 1,
    spec,
  } as unknown as PlanRow;
}

const keys = () => deriveCardKeys(masters, Buffer.from(UID, 'hex'));
const build = (spec: PersonalisationSpec, purpose?: 'recover'): Promise<CardPlan> =>
  personalisationKind.build(products, planRow(spec, purpose), keys());

function shape(plan: CardPlan): string {
  return plan.steps
    .map((s) => (s.op === 'auth' ? `a${s.block}${s.keyType}` : `${s.op[0]}${s.block}`))
    .join(' ');
}

describe('personalisation plan (golden)', () => {
  it('keeps the spec it is rebuilt from, with no key in it', async () => {
    const spec = await specFor();
    expect(spec).toMatchInlineSnapshot(`
      {
        "cardholderRef": "6F1C2A4E8B3D4C5E9F607A8B9C0D1E2F",
        "issuer": {
          "cardNumber": "3100020000000425",
          "concession": "STUDENT",
          "concessionUntil": null,
          "expiresOn": "2032-03-02",
          "issuedOn": "2026-03-02",
          "keyVersion": 1,
          "layoutVersion": 1,
          "status": "active",
        },
        "keyedFrom": [],
        "layoutVersion": 1,
      }
    `);
    const text = JSON.stringify(spec);
    const k = keys();
    for (let s = 0; s < 6; s++) expect(text).not.toContain(toHex(k.sector(s).keyB));
  });

  it('writes data, then trailers, then reads everything back', async () => {
    const plan = await build(await specFor());
    expect(plan.steps).toHaveLength(64);
    expect(shape(plan)).toMatchInlineSnapshot(
      `"a0A w1 w2 a4A w4 w5 w6 a8A w9 w10 w8 a12A w12 w13 w14 a16A w16 w17 w18 a20A w20 w21 w22 a0A w3 a4A w7 a8A w11 a12A w15 a16A w19 a20A w23 a0B r1 r2 r3 a4B r4 r5 r6 r7 a8B r9 r10 r8 r11 a12B r12 r13 r14 r15 a16B r16 r17 r18 r19 a20B r20 r21 r22 r23"`,
    );
    const digest = createHash('sha256').update(JSON.stringify(plan)).digest('hex');
    expect(digest).toMatchInlineSnapshot(
      `"d2d88c5f1cc2b96e7ecbd04c248725ad1d1df346da04f3973ddf5de4f5ec5695"`,
    );
  });

  it('a recovery differs only in the first key of its authentications', async () => {
    const fresh = await build(await specFor());
    const recovery = await build(await specFor([0, 2]), 'recover');
    expect(recovery.purpose).toBe('recover');
    const blocks = (p: CardPlan) => p.steps.map((s) => `${s.op}${s.block}`).join(' ');
    expect(blocks(recovery)).toBe(blocks(fresh));
    const differing = recovery.steps.filter(
      (s, i) => JSON.stringify(s) !== JSON.stringify(fresh.steps[i]),
    );
    expect(differing.every((s) => s.op === 'auth' && [0, 8].includes(s.block))).toBe(true);
    expect(differing).toHaveLength(4);
  });
});

describe('what a cut report proves', () => {
  it('names exactly the sectors that carry new keys, after a pull at any step', async () => {
    const spec = await specFor();
    const plan = await build(spec);
    const k = keys();
    for (let n = 1; n < plan.steps.length; n++) {
      const vc = VirtualClassicCard.blank(Buffer.from(UID, 'hex'));
      vc.tearAfter(n);
      const report = await runPlan(vc, plan);
      expect(readbackMatches(plan, report)).toBe(false);
      const proven = provenKeyedSectors(plan, report, k, []);
      const actual = [0, 1, 2, 3, 4, 5].filter((s) =>
        vc.image()[s * 4 + 3]?.subarray(10, 16).equals(k.sector(s).keyB),
      );
      expect(proven, `pulled after ${n}`).toEqual(actual);
      vc.present();
      const recovery = await build({ ...spec, keyedFrom: proven }, 'recover');
      const done = await runPlan(vc, recovery);
      expect(readbackMatches(recovery, done), `recovery after ${n}`).toBe(true);
    }
  });

  it('refuses a report whose read-back differs, even if it says completed', async () => {
    const plan = await build(await specFor());
    const report = await runPlan(VirtualClassicCard.blank(Buffer.from(UID, 'hex')), plan);
    expect(readbackMatches(plan, report)).toBe(true);
    const last = report.steps.length - 2;
    const forged = {
      ...report,
      steps: report.steps.map((s, i) => (i === last ? { ...s, data: 'FF'.repeat(16) } : s)),
    };
    expect(readbackMatches(plan, forged)).toBe(false);
  });
});
