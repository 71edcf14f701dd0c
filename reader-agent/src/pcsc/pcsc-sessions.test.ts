import { afterEach, describe, expect, it } from 'vitest';
import { runPlan, VirtualClassicCard, type ClassicCardIo } from '@citycard/core/card';
import { cardKeysFor, personalisationPlan, readCard, stockUid } from '../testing/card-scenarios.js';
import { FakePcscSource } from '../testing/fake-pcsc.js';
import { waitForCard, waitForCardRemoved, waitForReader } from '../testing/wait-for.js';
import { classicCardApplication } from '../vpcd/index.js';
import { PcscReaderHub } from './pcsc-reader-hub.js';
import type { PcscClassicIo } from './pcsc-classic-io.js';

let hub: PcscReaderHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

async function readerWithCard(card: VirtualClassicCard) {
  const source = new FakePcscSource();
  hub = await PcscReaderHub.open({ source });
  const device = source.plug('Generic Reader 00');
  const reader = await waitForReader(hub, 'Generic Reader 00');
  const insert = async (): Promise<ClassicCardIo> => {
    const arrived = waitForCard(reader);
    device.insert(classicCardApplication(card));
    return (await arrived).classic!;
  };
  return { device, reader, insert };
}

describe('plans through the PC/SC layer (stand-in reader, in-process card)', () => {
  it('personalises a stock card in one APDU per step plus one LOAD KEY per new key', async () => {
    const uid = stockUid();
    const card = VirtualClassicCard.blank(uid);
    const { insert } = await readerWithCard(card);
    const io = (await insert()) as PcscClassicIo;
    const keys = cardKeysFor(uid);
    const plan = personalisationPlan(uid, keys);
    const report = await runPlan(io, plan);
    expect(report.outcome).toBe('completed');
    const auths = plan.steps.filter((s) => s.op === 'auth').length;
    expect(io.stats.auths).toBe(auths);
    expect(io.stats.apdus).toBe(plan.steps.length + io.stats.keyLoads);
    expect(io.stats.keyLoads).toBeLessThanOrEqual(auths);
  });

  it('says exactly where the card was pulled, at every step of a personalisation', async () => {
    const uid = stockUid();
    const keys = cardKeysFor(uid);
    const plan = personalisationPlan(uid, keys);
    for (let pulledAfter = 0; pulledAfter < plan.steps.length; pulledAfter += 7) {
      const card = VirtualClassicCard.blank(uid);
      const { reader, insert } = await readerWithCard(card);
      const io = await insert();
      card.tearAfter(pulledAfter);
      const removed = waitForCardRemoved(reader);
      const report = await runPlan(io, plan);
      expect(report.outcome).toBe('card_removed');
      expect(report.completedSteps).toBe(pulledAfter);
      expect(report.steps[pulledAfter]).toMatchObject({
        status: 'failed',
        error: { code: 'CARD_REMOVED' },
      });
      await removed;
      await hub?.close();
    }
  });

  it('reads a personalised card back after it was taken out and put back', async () => {
    const uid = stockUid();
    const card = VirtualClassicCard.blank(uid);
    const { device, reader, insert } = await readerWithCard(card);
    const keys = cardKeysFor(uid);
    expect((await runPlan(await insert(), personalisationPlan(uid, keys))).outcome).toBe(
      'completed',
    );
    const removed = waitForCardRemoved(reader);
    device.remove();
    await removed;
    const { image } = await readCard(await insert(), keys);
    expect(image.purse).toMatchObject({ balanceFen: 0, counter: 0, consistent: true });
  });
});
