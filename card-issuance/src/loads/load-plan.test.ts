import { randomUUID } from 'node:crypto';
import {
  LAYOUT_V1,
  VirtualClassicCard,
  blocksFromReport,
  buildPersonalisationPlan,
  buildReadPlan,
  decodePurse,
  deriveCardKeys,
  runPlan,
  testMasterKeySet,
  type CardKeys,
  type ClassicCardIo,
} from '@citycard/core/card';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildLoadCardPlan,
  historyOf,
  outcomeOfReport,
  purseReadBack,
  type LoadSpec,
} from './load-plan.js';
import { judgeLoad } from './load-verdict.js';

const UID = '04A1B2C3D4E5F6';
const uid = Buffer.from(UID, 'hex');
let keys: CardKeys;
let personalised: Buffer[];

beforeAll(async () => {
  keys = deriveCardKeys(testMasterKeySet(Buffer.from('load-plan-test')), uid);
  const card = VirtualClassicCard.blank(uid);
  const plan = buildPersonalisationPlan({
    planId: randomUUID(),
    uid,
    keys,
    cardholderRef: Buffer.alloc(16, 7),
    issuer: {
      cardNumber: '3100010000000018',
      issuedOn: '2026-11-27',
      expiresOn: '2036-11-27',
      status: 'active',
      layoutVersion: 1,
      keyVersion: 1,
      concession: 'FULL',
      concessionUntil: null,
    },
  });
  expect((await runPlan(card, plan)).outcome).toBe('completed');
  personalised = card.image();
});

async function purseOf(card: VirtualClassicCard) {
  card.present();
  const report = await runPlan(card, buildReadPlan({ planId: randomUUID(), uid, keys }));
  const blocks = blocksFromReport(report);
  const b = LAYOUT_V1.blocks;
  const at = (n: number) => blocks.get(n) ?? Buffer.alloc(16);
  const purse = decodePurse(
    { value: at(b.purseValue), backup: at(b.purseBackup), record: at(b.purseRecord) },
    uid,
    keys.purseMacKey,
  );
  return { purse, history: historyOf(blocks) };
}

function cutting(card: VirtualClassicCard, at: number, during: boolean | null): ClassicCardIo {
  let n = 0;
  const gate = (write: boolean) => {
    if (n++ !== at) return;
    if (write && during !== null) card.tearDuringNextWrite(during);
    else card.remove();
  };
  return {
    identity: card.identity,
    authenticate: (b, k, key) => (gate(false), card.authenticate(b, k, key)),
    readBlock: (b) => (gate(false), card.readBlock(b)),
    writeBlock: (b, d) => (gate(true), card.writeBlock(b, d)),
  };
}

/** A load plan built on the card's purse as a read shows it, as the service builds one. */
async function planFor(card: VirtualClassicCard, amountFen: number) {
  const before = await purseOf(card);
  const spec: LoadSpec = {
    loadId: randomUUID(),
    counterBefore: before.purse.counter,
    balanceBeforeFen: before.purse.balanceFen,
    amountFen,
    expectRecord: card.image()[LAYOUT_V1.blocks.purseRecord]?.toString('hex').toUpperCase() ?? '',
    historyAt: 1_800_000_000,
    terminalRef: 42,
    repairValue: before.purse.source === 'backup',
  };
  return { spec, plan: buildLoadCardPlan(randomUUID(), UID, keys, spec) };
}

/** A personalised card, or one whose last update was cut after its commit, before the value write. */
async function startingCard(stale: boolean): Promise<VirtualClassicCard> {
  const card = VirtualClassicCard.fromImage(uid, personalised);
  if (!stale) return card;
  const { plan } = await planFor(card, 1_000);
  const commit = plan.steps.findIndex((s) => s.op === 'write' && s.block === 10);
  card.present();
  await runPlan(cutting(card, commit + 1, false), plan);
  expect((await purseOf(card)).purse).toMatchObject({ source: 'backup', balanceFen: 1_000 });
  return card;
}

describe('what a load plan report says', () => {
  const cases = [false, true].flatMap((stale) =>
    Array.from({ length: 13 }, (_, at) => at).flatMap((at) => [
      { stale, at, during: null },
      { stale, at, during: true },
      { stale, at, during: false },
    ]),
  );

  it.each(cases)(
    'stale value block $stale, pulled at command $at (during a write: $during)',
    async ({ stale, at, during }) => {
      const card = await startingCard(stale);
      const { spec, plan } = await planFor(card, 2_500);
      card.present();
      const report = await runPlan(cutting(card, at, during), plan);
      const readBack = purseReadBack(plan, report, UID, keys.purseMacKey);
      const { outcome } = outcomeOfReport(plan, report, spec, readBack);

      // The purse always decodes: no tear leaves it without a vouched block.
      const after = await purseOf(card);
      const applied = after.purse.counter === spec.counterBefore + 1;
      if (outcome === 'written') expect(applied).toBe(true);
      if (outcome === 'not_written') expect(applied).toBe(false);
      if (report.outcome === 'completed') expect(outcome).toBe('written');
      // Whatever the report could not tell, the next read does.
      const verdict = judgeLoad(
        {
          counterBefore: spec.counterBefore,
          balanceBeforeFen: spec.balanceBeforeFen,
          amountFen: spec.amountFen,
        },
        after.purse,
        after.history,
      );
      expect(verdict).toBe(applied ? 'applied' : 'not_applied');
    },
  );
});
