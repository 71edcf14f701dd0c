import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildTrailer,
  TRANSPORT_KEY,
  transportTrailer,
  VirtualClassicCard,
} from '@citycard/core/card';
import { ClassicApduFront } from './classic-apdu-front.js';
import { apdu, statusWord, SW } from './commands.js';

const UID = Buffer.from('04A1B2C3', 'hex');
const KEY_B = Buffer.from('B0B1B2B3B4B5', 'hex');

/** A card whose sector 1 data blocks are read-only (condition 2) and whose key B is secret. */
function cardWithReadOnlySector(): VirtualClassicCard {
  const blocks = VirtualClassicCard.blank(UID).image();
  blocks[7] = buildTrailer({
    keyA: TRANSPORT_KEY,
    keyB: KEY_B,
    access: { data: [2, 2, 2], trailer: 3 },
    gpb: 0x69,
  });
  return VirtualClassicCard.fromImage(UID, blocks);
}

async function sw(front: ClassicApduFront, command: Buffer): Promise<number | null> {
  return statusWord(await front.transmit(command));
}

describe('ClassicApduFront', () => {
  it('answers FF CA with the UID', async () => {
    const front = new ClassicApduFront(VirtualClassicCard.blank(UID));
    const response = await front.transmit(apdu.getUid());
    expect(response.toString('hex').toUpperCase()).toBe('04A1B2C39000');
    expect(await sw(front, Buffer.from('FFCA010000', 'hex'))).toBe(SW.FUNCTION_NOT_SUPPORTED);
  });

  it('loads a key, authenticates, reads and writes a block', async () => {
    const front = new ClassicApduFront(VirtualClassicCard.blank(UID));
    expect(await sw(front, apdu.loadKey(0, TRANSPORT_KEY))).toBe(SW.OK);
    expect(await sw(front, apdu.authenticate(4, 'A', 0))).toBe(SW.OK);
    const data = Buffer.alloc(16, 0x5a);
    expect(await sw(front, apdu.write(5, data))).toBe(SW.OK);
    const read = await front.transmit(apdu.read(5));
    expect(read.subarray(0, 16)).toEqual(data);
    expect(statusWord(read)).toBe(SW.OK);
    // trailer read: key A masked, access bits and GPB visible, key B readable in transport state
    const trailer = await front.transmit(apdu.read(7));
    expect(trailer.subarray(0, 6)).toEqual(Buffer.alloc(6));
    expect(trailer.subarray(6, 10)).toEqual(transportTrailer().subarray(6, 10));
  });

  it('answers 63 00 to a wrong key and 69 82 to a command on an unauthenticated sector', async () => {
    const front = new ClassicApduFront(VirtualClassicCard.blank(UID));
    expect(await sw(front, apdu.loadKey(1, Buffer.from('010203040506', 'hex')))).toBe(SW.OK);
    expect(await sw(front, apdu.authenticate(4, 'A', 1))).toBe(SW.FAILED);
    expect(await sw(front, apdu.read(4))).toBe(SW.NOT_AUTHENTICATED);
    expect(await sw(front, apdu.loadKey(0, TRANSPORT_KEY))).toBe(SW.OK);
    expect(await sw(front, apdu.authenticate(4, 'A', 0))).toBe(SW.OK);
    expect(await sw(front, apdu.read(8))).toBe(SW.NOT_AUTHENTICATED);
  });

  it('answers 69 86 to a write the access bits forbid, and the card stays usable', async () => {
    const front = new ClassicApduFront(cardWithReadOnlySector());
    await front.transmit(apdu.loadKey(0, TRANSPORT_KEY));
    expect(await sw(front, apdu.authenticate(4, 'A', 0))).toBe(SW.OK);
    expect(await sw(front, apdu.write(4, Buffer.alloc(16, 1)))).toBe(SW.NOT_ALLOWED);
    // a refused command halts the card: authenticate again, then reading works
    expect(await sw(front, apdu.read(4))).toBe(SW.NOT_AUTHENTICATED);
    expect(await sw(front, apdu.authenticate(4, 'A', 0))).toBe(SW.OK);
    expect(await sw(front, apdu.read(4))).toBe(SW.OK);
  });

  it('refuses block 0 writes, unknown blocks and malformed commands like a reader', async () => {
    const front = new ClassicApduFront(VirtualClassicCard.blank(UID));
    await front.transmit(apdu.loadKey(0, TRANSPORT_KEY));
    await front.transmit(apdu.authenticate(0, 'A', 0));
    expect(await sw(front, apdu.write(0, Buffer.alloc(16)))).toBe(SW.NOT_ALLOWED);
    expect(await sw(front, apdu.read(64))).toBe(SW.OUT_OF_RANGE);
    expect(await sw(front, apdu.authenticate(4, 'A', 5))).toBe(SW.KEY_NUMBER_INVALID);
    expect(await sw(front, apdu.loadKey(2, TRANSPORT_KEY))).toBe(SW.KEY_NUMBER_INVALID);
    expect(await sw(front, Buffer.from('FFD6000410AABB', 'hex'))).toBe(SW.WRONG_LENGTH);
    expect(await sw(front, Buffer.from('FFB0000408', 'hex'))).toBe(0x6c10);
    expect(await sw(front, Buffer.from('FF12000000', 'hex'))).toBe(SW.INS_NOT_SUPPORTED);
    expect(await sw(front, Buffer.from('00A4040000', 'hex'))).toBe(SW.CLA_NOT_SUPPORTED);
    expect(await sw(front, Buffer.from('FF', 'hex'))).toBe(SW.WRONG_LENGTH);
  });

  it('takes the legacy FF 88 authenticate', async () => {
    const front = new ClassicApduFront(VirtualClassicCard.blank(UID));
    await front.transmit(apdu.loadKey(0, TRANSPORT_KEY));
    expect(await sw(front, Buffer.from('FF8800046000', 'hex'))).toBe(SW.OK);
    expect(await sw(front, apdu.read(4))).toBe(SW.OK);
  });

  it('does not answer when the card leaves mid-command (CARD_REMOVED propagates)', async () => {
    const card = VirtualClassicCard.blank(UID);
    const front = new ClassicApduFront(card);
    await front.transmit(apdu.loadKey(0, TRANSPORT_KEY));
    await front.transmit(apdu.authenticate(4, 'A', 0));
    card.tearDuringNextWrite(true);
    await expect(front.transmit(apdu.write(4, Buffer.alloc(16, 9)))).rejects.toMatchObject({
      code: 'CARD_REMOVED',
    });
    // the torn write reached the memory, which the card keeps across removal
    expect(card.image()[4]).toEqual(Buffer.alloc(16, 9));
  });

  it('answers any byte string with a status word and never throws while the card is there', async () => {
    const front = new ClassicApduFront(VirtualClassicCard.blank(UID));
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 30 }), async (bytes) => {
        const response = await front.transmit(Buffer.from(bytes));
        expect(response.length).toBeGreaterThanOrEqual(2);
      }),
    );
  });
});
