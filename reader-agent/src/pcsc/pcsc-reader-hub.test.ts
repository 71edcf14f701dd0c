import { afterEach, describe, expect, it } from 'vitest';
import type { CardReader } from '@citycard/core/card';
import { TRANSPORT_KEY, VirtualClassicCard } from '@citycard/core/card';
import type { AppError } from '@citycard/core/errors';
import { FakePcscSource } from '../testing/fake-pcsc.js';
import {
  waitForCard,
  waitForCardRemoved,
  waitForReader,
  waitForReaderRemoved,
} from '../testing/wait-for.js';
import { classicCardApplication, foreignCardApplication } from '../vpcd/index.js';
import { PcscReaderHub } from './pcsc-reader-hub.js';

const UID = Buffer.from('04A1B2C3', 'hex');
let hub: PcscReaderHub | null = null;

async function setup(...names: string[]) {
  const source = new FakePcscSource();
  hub = await PcscReaderHub.open({ source });
  const devices = names.map((n) => source.plug(n));
  const readers: CardReader[] = [];
  for (const n of names) readers.push(await waitForReader(hub, n));
  return { source, hub, devices, readers };
}

afterEach(async () => {
  await hub?.close();
  hub = null;
});

describe('PcscReaderHub over a stand-in nfc-pcsc', () => {
  it('reports a Classic card with UID, ATR and kind, and runs Classic commands on it', async () => {
    const { devices, readers } = await setup('Generic Reader 00');
    const [device, reader] = [devices[0]!, readers[0]!];
    const card = VirtualClassicCard.blank(UID);
    const arrived = waitForCard(reader);
    device.insert(classicCardApplication(card));
    const field = await arrived;
    expect(device.autoProcessing).toBe(false);
    expect(field.identity.uid).toEqual(UID);
    expect(field.identity.kind).toBe('mifare-classic-1k');
    const io = field.classic!;
    await io.authenticate(4, 'A', TRANSPORT_KEY);
    await io.writeBlock(4, Buffer.alloc(16, 3));
    expect(await io.readBlock(4)).toEqual(Buffer.alloc(16, 3));
    // the second authentication with the same key reuses the loaded slot
    await io.authenticate(8, 'A', TRANSPORT_KEY);
    const loads = device.sent.filter((c) => c[1] === 0x82);
    expect(loads).toHaveLength(1);
    await expect(io.readBlock(4)).rejects.toMatchObject({ code: 'CARD_NOT_AUTHENTICATED' });
    expect(reader.current()).toBe(field);
  });

  it('maps refusals: wrong key, forbidden write, removal mid-write, removal afterwards', async () => {
    const { devices, readers } = await setup('Generic Reader 00');
    const [device, reader] = [devices[0]!, readers[0]!];
    const card = VirtualClassicCard.blank(UID);
    const arrived = waitForCard(reader);
    device.insert(classicCardApplication(card));
    const io = (await arrived).classic!;
    await expect(io.authenticate(4, 'A', Buffer.alloc(6, 1))).rejects.toMatchObject({
      code: 'CARD_AUTH_FAILED',
    });
    await io.authenticate(0, 'A', TRANSPORT_KEY);
    await expect(io.writeBlock(0, Buffer.alloc(16))).rejects.toMatchObject({
      code: 'CARD_ACCESS_DENIED',
    });
    await io.authenticate(4, 'A', TRANSPORT_KEY);
    card.tearDuringNextWrite(false);
    const removed = waitForCardRemoved(reader);
    await expect(io.writeBlock(5, Buffer.alloc(16, 1))).rejects.toMatchObject({
      code: 'CARD_REMOVED',
    });
    expect((await removed).uid).toEqual(UID);
    await expect(io.readBlock(5)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    expect(reader.current()).toBeNull();
  });

  it('maps a pcsc-lite failure during a command and keeps the reader usable', async () => {
    const { devices, readers } = await setup('Generic Reader 00');
    const [device, reader] = [devices[0]!, readers[0]!];
    const arrived = waitForCard(reader);
    device.insert(classicCardApplication(VirtualClassicCard.blank(UID)));
    const io = (await arrived).classic!;
    device.failNextTransmit = new Error('SCardTransmit error: Sharing violation.(0x8010000B)');
    await expect(io.authenticate(4, 'A', TRANSPORT_KEY)).rejects.toMatchObject({
      code: 'READER_BUSY',
    });
    await io.authenticate(4, 'A', TRANSPORT_KEY);
    expect(await io.readBlock(4)).toHaveLength(16);
  });

  it('reports a phone or a bank card as iso14443-4 without Classic I/O', async () => {
    const { devices, readers } = await setup('Generic Reader 00');
    const arrived = waitForCard(readers[0]!);
    devices[0]!.insert(foreignCardApplication({ uid: Buffer.from('08112233', 'hex') }));
    const field = await arrived;
    expect(field.identity).toMatchObject({
      kind: 'iso14443-4',
      uid: Buffer.from('08112233', 'hex'),
    });
    expect(field.classic).toBeNull();
  });

  it('reports a card without a UID and a contact card as unknown, without sending FF CA to the latter', async () => {
    const { devices, readers } = await setup('Generic Reader 00');
    const arrivedNoUid = waitForCard(readers[0]!);
    devices[0]!.insert(foreignCardApplication({ uid: null }));
    expect((await arrivedNoUid).identity.uid).toHaveLength(0);
    devices[0]!.remove();
    await waitForCardRemoved(readers[0]!);
    devices[0]!.sent.length = 0;
    const arrivedContact = waitForCard(readers[0]!);
    devices[0]!.insert(
      foreignCardApplication({ atr: Buffer.from('3B6E00008031806686B08412016E0183009000', 'hex') }),
    );
    expect((await arrivedContact).identity.kind).toBe('unknown');
    expect(devices[0]!.sent).toHaveLength(0);
  });

  it('attaches and detaches readers while running; one failing leaves the other working', async () => {
    const { source, hub, devices, readers } = await setup('Reader A');
    const second = source.plug('Reader B');
    const readerB = await waitForReader(hub, 'Reader B');
    expect(
      hub
        .readers()
        .map((r) => r.name)
        .sort(),
    ).toEqual(['Reader A', 'Reader B']);
    const errors: AppError[] = [];
    readers[0]!.on('error', (e) => errors.push(e));
    // a listener that throws does not stop the reader
    readers[0]!.on('card', () => {
      throw new Error('listener bug');
    });
    const arrivedA = waitForCard(readers[0]!);
    devices[0]!.insert(
      classicCardApplication(VirtualClassicCard.blank(Buffer.from('04000001', 'hex'))),
    );
    await arrivedA;
    devices[0]!.emit('error', new Error('SCardGetStatusChange error: Unknown reader.(0x80100009)'));
    const arrived = waitForCard(readerB);
    second.insert(classicCardApplication(VirtualClassicCard.blank(UID)));
    const io = (await arrived).classic!;
    const gone = waitForReaderRemoved(hub, 'Reader A');
    const ended = new Promise<void>((resolve) => readers[0]!.on('end', resolve));
    source.unplug('Reader A');
    await Promise.all([gone, ended]);
    expect(errors.map((e) => e.code)).toEqual(['INTERNAL', 'READER_UNPLUGGED']);
    await io.authenticate(4, 'A', TRANSPORT_KEY);
    expect(await io.readBlock(4)).toHaveLength(16);
    expect(hub.readers().map((r) => r.name)).toEqual(['Reader B']);
  });

  it('fails commands with READER_UNPLUGGED when the reader goes with the card in it', async () => {
    const { source, devices, readers } = await setup('Reader A');
    const arrived = waitForCard(readers[0]!);
    devices[0]!.insert(classicCardApplication(VirtualClassicCard.blank(UID)));
    const io = (await arrived).classic!;
    const ended = new Promise<void>((resolve) => readers[0]!.on('end', resolve));
    devices[0]!.emit('end');
    await ended;
    await expect(io.authenticate(4, 'A', TRANSPORT_KEY)).rejects.toMatchObject({
      code: 'READER_UNPLUGGED',
    });
    source.unplug('Reader A');
  });

  it('drives the ACR122U LED and buzzer, and does nothing on other readers', async () => {
    const { devices, readers } = await setup('ACS ACR122U PICC Interface 00', 'Generic Reader 01');
    for (const [i, device] of devices.entries()) {
      const arrived = waitForCard(readers[i]!);
      device.insert(classicCardApplication(VirtualClassicCard.blank(UID)));
      await arrived;
      device.sent.length = 0;
      await readers[i]!.feedback('ok');
      await readers[i]!.feedback('fail');
    }
    const acr = devices[0]!.sent.map((c) => c.subarray(0, 3).toString('hex'));
    expect(acr).toEqual(['ff0040', 'ff0040']);
    expect(devices[1]!.sent).toHaveLength(0);
    // no card: nothing to send, still resolves
    devices[0]!.remove();
    await waitForCardRemoved(readers[0]!);
    await expect(readers[0]!.feedback('attention')).resolves.toBeUndefined();
  });

  it('rejects with PCSC_UNAVAILABLE when pcscd does not answer on its socket', async () => {
    await expect(
      PcscReaderHub.open({ socketPath: '/nonexistent/pcscd.comm' }),
    ).rejects.toMatchObject({
      code: 'PCSC_UNAVAILABLE',
    });
  });
});
