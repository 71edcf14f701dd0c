import { describe, expect, it } from 'vitest';
import { TRANSPORT_KEY, VirtualClassicCard } from '@citycard/core/card';
import {
  waitForCard,
  waitForCardRemoved,
  waitForReader,
  waitForReaderRemoved,
} from '../testing/wait-for.js';
import { VirtualReaderHub } from './virtual-reader-hub.js';

const UID = Buffer.from('04A1B2C3', 'hex');

describe('VirtualReader and VirtualReaderHub', () => {
  it('plugs readers and delivers card and cardRemoved events, with memory kept across removal', async () => {
    const hub = new VirtualReaderHub();
    const plugged = waitForReader(hub, 'Counter 1');
    const reader = hub.plug('Counter 1');
    expect(await plugged).toBe(reader);
    const card = VirtualClassicCard.blank(UID);
    const arrived = waitForCard(reader);
    reader.insert(card);
    const field = await arrived;
    expect(field.identity.kind).toBe('mifare-classic-1k');
    await field.classic!.authenticate(4, 'A', TRANSPORT_KEY);
    await field.classic!.writeBlock(4, Buffer.alloc(16, 7));
    const removed = waitForCardRemoved(reader);
    reader.remove();
    expect((await removed).uid).toEqual(UID);
    expect(reader.current()).toBeNull();
    await expect(field.classic!.readBlock(4)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    const again = waitForCard(reader);
    reader.insert(card);
    const io = (await again).classic!;
    // back in the field unauthenticated, with the data written before
    await expect(io.readBlock(4)).rejects.toMatchObject({ code: 'CARD_NOT_AUTHENTICATED' });
    await io.authenticate(4, 'A', TRANSPORT_KEY);
    expect(await io.readBlock(4)).toEqual(Buffer.alloc(16, 7));
    await hub.close();
  });

  it('takes a foreign card as identity only', async () => {
    const hub = new VirtualReaderHub();
    const reader = hub.plug('R');
    const arrived = waitForCard(reader);
    reader.insert({
      uid: Buffer.from('08010203', 'hex'),
      atr: Buffer.from('3B80800101', 'hex'),
      kind: 'iso14443-4',
    });
    expect((await arrived).classic).toBeNull();
    await hub.close();
  });

  it('unplugging a reader ends it, removes its card and leaves the others alone', async () => {
    const hub = new VirtualReaderHub();
    const a = hub.plug('A');
    const b = hub.plug('B');
    const cardA = waitForCard(a);
    a.insert(VirtualClassicCard.blank(UID));
    const io = (await cardA).classic!;
    const events: string[] = [];
    a.on('cardRemoved', () => events.push('cardRemoved'));
    a.on('end', () => events.push('end'));
    const gone = waitForReaderRemoved(hub, 'A');
    hub.unplug('A');
    await gone;
    expect(events).toEqual(['cardRemoved', 'end']);
    expect(hub.readers()).toEqual([b]);
    expect(() => a.insert(VirtualClassicCard.blank(UID))).toThrow(/unplugged/);
    await expect(io.authenticate(4, 'A', TRANSPORT_KEY)).rejects.toMatchObject({
      code: 'CARD_REMOVED',
    });
    await b.feedback('ok');
    expect(b.feedbackLog).toEqual(['ok']);
    await hub.close();
  });
});
