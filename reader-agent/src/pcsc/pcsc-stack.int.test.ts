import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runPlan,
  TRANSPORT_KEY,
  VirtualClassicCard,
  type CardInField,
  type CardKeys,
  type CardReader,
  type ClassicCardIo,
  type PlanReport,
  type PurseState,
} from '@citycard/core/card';
import {
  cardKeysFor,
  pcscdGate,
  personalisationPlan,
  PURSE_RECORD_BLOCK,
  readCard,
  lockVpcdReaders,
  startVpcdCard,
  stockUid,
  testIssuerInfo,
  topUpPlan,
  waitForCard,
  waitForCardRemoved,
  waitForReader,
} from '../testing/index.js';
import { foreignCardApplication, type VpcdCard } from '../vpcd/index.js';
import { PcscReaderHub } from './pcsc-reader-hub.js';

/**
 * The real stack: nfc-pcsc → pcsc-lite → pcscd → vpcd → a virtual card over TCP. Its tests run in
 * order and share one card; the vpcd readers are held under lockVpcdReaders, which the
 * end-to-end city day takes too.
 */
const gate = await pcscdGate();
if (!gate.available) console.warn(`pcscd integration tests skipped: ${gate.reason}`);

const QUICKACK_HINT =
  'vpcd needs the quick-ACK route (else ~45 ms per APDU): ' +
  'ip route add local 127.0.0.2/32 dev lo table local src 127.0.0.1 quickack 1';

function purseOf(state: unknown): PurseState {
  if (!state || typeof state !== 'object' || !('balanceFen' in state)) {
    throw new Error(`no purse on the card: ${JSON.stringify(state)}`);
  }
  return state as PurseState;
}

function stepLines(report: PlanReport): string[] {
  return report.steps.map(
    (s) => `${s.index} ${s.op} ${s.block} ${s.status}${s.error ? ` ${s.error.code}` : ''}`,
  );
}

async function insert(
  card: VirtualClassicCard,
  reader: CardReader,
  name: 'Virtual PCD 00 00' | 'Virtual PCD 00 01',
) {
  const arrived = waitForCard(reader);
  const vpcd = await startVpcdCard(card, name);
  return { vpcd, field: await arrived };
}

describe.skipIf(!gate.available)('PC/SC stack over pcscd + vpcd', () => {
  let hub: PcscReaderHub;
  let reader0: CardReader;
  let reader1: CardReader;
  const uid = stockUid();
  const card = VirtualClassicCard.blank(uid);
  let keys: CardKeys;
  let vpcd: VpcdCard;
  let io: ClassicCardIo;
  let release: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    release = await lockVpcdReaders();
    hub = await PcscReaderHub.open();
    reader0 = await waitForReader(hub, 'Virtual PCD 00 00');
    reader1 = await waitForReader(hub, 'Virtual PCD 00 01');
    keys = cardKeysFor(uid);
  });

  afterAll(async () => {
    await vpcd?.remove();
    keys?.wipe();
    await hub?.close();
    await release?.();
  });

  it('sees a stock card with its UID and kind', async () => {
    let field: CardInField;
    ({ vpcd, field } = await insert(card, reader0, 'Virtual PCD 00 00'));
    expect(vpcd.connectedHost, QUICKACK_HINT).toBe('127.0.0.2');
    expect(field.identity.uid).toEqual(uid);
    expect(field.identity.kind).toBe('mifare-classic-1k');
    expect(field.classic).not.toBeNull();
    io = field.classic!;
  });

  it('personalises the card from a plan and reads it back with the diversified keys', async () => {
    const plan = personalisationPlan(uid, keys);
    const started = performance.now();
    const report = await runPlan(io, plan);
    const ms = performance.now() - started;
    console.log(`personalisation over pcscd: ${plan.steps.length} steps in ${ms.toFixed(1)} ms`);
    expect(report.outcome).toBe('completed');
    expect(report.completedSteps).toBe(plan.steps.length);
    const { report: readReport, image } = await readCard(io, keys);
    expect(readReport.outcome).toBe('completed');
    expect(image.issuer).toEqual(testIssuerInfo());
    expect(purseOf(image.purse)).toMatchObject({ balanceFen: 0, counter: 0, consistent: true });
    // the transport key is gone from the keyed sectors
    await expect(io.authenticate(4, 'A', TRANSPORT_KEY)).rejects.toMatchObject({
      code: 'CARD_AUTH_FAILED',
    });
  });

  it('tops the card up through a guarded load plan', async () => {
    const before = await readCard(io, keys);
    const purse = purseOf(before.image.purse);
    const record = before.blocks.get(PURSE_RECORD_BLOCK)!;
    const plan = topUpPlan(uid, keys, { ...purse, record }, 5000);
    const report = await runPlan(io, plan);
    expect(report.outcome).toBe('completed');
    const after = await readCard(io, keys);
    expect(purseOf(after.image.purse)).toMatchObject({
      balanceFen: 5000,
      counter: 1,
      consistent: true,
    });
    expect(after.image.history?.[0]).toMatchObject({ kind: 'load', amountFen: 5000 });
  });

  it('reports step by step when the card is pulled mid-write, and the next read resolves it', async () => {
    const before = await readCard(io, keys);
    const purse = purseOf(before.image.purse);
    const plan = topUpPlan(
      uid,
      keys,
      { ...purse, record: before.blocks.get(PURSE_RECORD_BLOCK)! },
      2000,
    );
    // the card leaves while writing the purse record (the commit point): data written, no answer
    const tearing: ClassicCardIo = {
      identity: io.identity,
      authenticate: (b, t, k) => io.authenticate(b, t, k),
      readBlock: (b) => io.readBlock(b),
      writeBlock: (b, d) => {
        if (b === PURSE_RECORD_BLOCK) card.tearDuringNextWrite(true);
        return io.writeBlock(b, d);
      },
    };
    const removed = waitForCardRemoved(reader0);
    const report = await runPlan(tearing, plan);
    console.log(`pulled mid-write:\n${stepLines(report).join('\n')}`);
    expect(report.outcome).toBe('card_removed');
    const tornIndex = plan.steps.findIndex(
      (s) => s.op === 'write' && s.block === PURSE_RECORD_BLOCK,
    );
    expect(report.completedSteps).toBe(tornIndex);
    expect(report.steps[tornIndex]).toMatchObject({
      status: 'failed',
      error: { code: 'CARD_REMOVED' },
    });
    expect(report.steps.slice(tornIndex + 1).every((s) => s.status === 'not_run')).toBe(true);
    await removed;
    await vpcd.remove();
    // the card comes back with its memory: the record committed 7000, the value block still says 5000
    let field: CardInField;
    ({ vpcd, field } = await insert(card, reader0, 'Virtual PCD 00 00'));
    io = field.classic!;
    const after = await readCard(io, keys);
    expect(purseOf(after.image.purse)).toMatchObject({
      balanceFen: 7000,
      counter: 2,
      source: 'backup',
      consistent: false,
    });
  });

  it('refuses a write the access bits forbid, and the card stays usable', async () => {
    const keyA = keys.sector(1).keyA;
    await io.authenticate(4, 'A', keyA);
    await expect(io.writeBlock(4, Buffer.alloc(16, 0xee))).rejects.toMatchObject({
      code: 'CARD_ACCESS_DENIED',
    });
    await expect(io.readBlock(4)).rejects.toMatchObject({ code: 'CARD_NOT_AUTHENTICATED' });
    await io.authenticate(0, 'B', keys.sector(0).keyB);
    await expect(io.writeBlock(0, Buffer.alloc(16))).rejects.toMatchObject({
      code: 'CARD_ACCESS_DENIED',
    });
    const { image } = await readCard(io, keys);
    expect(image.issuer?.cardNumber).toBe(testIssuerInfo().cardNumber);
  });

  it('runs a second reader at the same time, and pulling its card leaves the first one working', async () => {
    const second = VirtualClassicCard.blank(stockUid());
    const secondKeys = cardKeysFor(second.identity.uid);
    const { vpcd: vpcd1, field } = await insert(second, reader1, 'Virtual PCD 00 01');
    try {
      const [a, b] = await Promise.all([
        readCard(io, keys),
        runPlan(field.classic!, personalisationPlan(second.identity.uid, secondKeys)),
      ]);
      expect(a.report.outcome).toBe('completed');
      expect(b.outcome).toBe('completed');
      const gone = waitForCardRemoved(reader1);
      await vpcd1.remove();
      await gone;
      expect(reader1.current()).toBeNull();
      expect((await readCard(io, keys)).report.outcome).toBe('completed');
    } finally {
      await vpcd1.remove();
      secondKeys.wipe();
    }
  });

  it('reports a contact card ATR as unknown without sending it anything', async () => {
    const contact = foreignCardApplication({
      atr: Buffer.from('3B6E00008031806686B08412016E0183009000', 'hex'),
    });
    const arrived = waitForCard(reader1);
    const vpcd1 = await startVpcdCard(contact, 'Virtual PCD 00 01');
    try {
      const field = await arrived;
      expect(field.identity).toMatchObject({ kind: 'unknown', uid: Buffer.alloc(0) });
      expect(field.classic).toBeNull();
      expect(vpcd1.stats.apdus).toBe(0);
    } finally {
      const gone = waitForCardRemoved(reader1);
      await vpcd1.remove();
      await gone;
    }
  });

  it('reports a phone or bank card (ISO 14443-4) cleanly, without Classic I/O', async () => {
    const phone = foreignCardApplication({ uid: Buffer.from('08A1B2C3', 'hex') });
    const arrived = waitForCard(reader1);
    const vpcd1 = await startVpcdCard(phone, 'Virtual PCD 00 01');
    try {
      const field = await arrived;
      expect(field.identity.kind).toBe('iso14443-4');
      expect(field.identity.uid.toString('hex')).toBe('08a1b2c3');
      expect(field.classic).toBeNull();
    } finally {
      const gone = waitForCardRemoved(reader1);
      await vpcd1.remove();
      await gone;
    }
  });

  it('keeps the APDU round trip through pcscd + vpcd free of the 40 ms delayed ACK', async () => {
    await io.authenticate(16, 'A', keys.sector(4).keyA);
    const n = 200;
    const started = performance.now();
    for (let i = 0; i < n; i += 1) await io.readBlock(16);
    const perApduMs = (performance.now() - started) / n;
    console.log(`APDU round trip through pcscd + vpcd: ${perApduMs.toFixed(3)} ms`);
    // 40 ms here would mean the delayed-ACK problem is back (no quick-ACK route, no TCP_NODELAY)
    expect(perApduMs, QUICKACK_HINT).toBeLessThan(10);
  });
});
