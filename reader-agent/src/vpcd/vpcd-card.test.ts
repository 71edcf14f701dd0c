import { createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { TRANSPORT_KEY, VirtualClassicCard, CLASSIC_1K_ATR } from '@citycard/core/card';
import { apdu } from '../apdu/index.js';
import { classicCardApplication } from './card-applications.js';
import { VpcdCard } from './vpcd-card.js';
import { encodeFrame, FrameDecoder, VPCD_CONTROL } from './vpcd-framing.js';

/** A minimal vpcd (the reader side): one card connection at a time, request/response. */
class FakeVpcd {
  private server: Server;
  private socket: Socket | null = null;
  private readonly decoder = new FrameDecoder();
  private waiting: ((frame: Buffer | null) => void) | null = null;
  connected: Promise<void>;
  private onConnect: () => void = () => {};

  constructor() {
    this.server = createServer((socket) => {
      this.socket = socket;
      socket.on('data', (chunk: Buffer) => {
        for (const frame of this.decoder.push(chunk)) this.waiting?.(frame);
      });
      socket.on('close', () => this.waiting?.(null));
      this.onConnect();
    });
    this.connected = new Promise((resolve) => (this.onConnect = resolve));
  }

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      }),
    );
  }

  /** Sends a message and resolves with the answer, or null when the card dropped the line. */
  request(payload: Buffer): Promise<Buffer | null> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket?.write(encodeFrame(payload));
    });
  }

  /** Sends a control code that gets no answer (power off/on, reset). */
  send(payload: Buffer): void {
    this.socket?.write(encodeFrame(payload));
  }

  /** Sends header and payload as separate TCP writes, as vpcd does. */
  requestSplit(payload: Buffer): Promise<Buffer | null> {
    const frame = encodeFrame(payload);
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket?.write(frame.subarray(0, 2));
      setTimeout(() => this.socket?.write(frame.subarray(2)), 5);
    });
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let vpcd: FakeVpcd | null = null;
afterEach(async () => {
  await vpcd?.close();
  vpcd = null;
});

async function cardOnFakeVpcd(card: VirtualClassicCard) {
  vpcd = new FakeVpcd();
  const port = await vpcd.listen();
  const client = new VpcdCard(classicCardApplication(card), { port, hosts: ['127.0.0.1'] });
  await client.insert();
  await vpcd.connected;
  return { server: vpcd, client };
}

describe('FrameDecoder', () => {
  it('reassembles frames whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => encodeFrame(Buffer.from(p))));
          const decoder = new FrameDecoder();
          const out: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i += 1) {
            const size = cuts[i % cuts.length] ?? 1;
            out.push(...decoder.push(stream.subarray(at, at + size)));
            at += size;
          }
          expect(out.map((b) => b.toString('hex'))).toEqual(
            payloads.map((p) => Buffer.from(p).toString('hex')),
          );
          expect(decoder.buffered).toBe(0);
        },
      ),
    );
  });
});

describe('VpcdCard', () => {
  it('answers get-ATR and APDUs, also when vpcd splits header and payload', async () => {
    const { server, client } = await cardOnFakeVpcd(
      VirtualClassicCard.blank(Buffer.from('04A1B2C3', 'hex')),
    );
    expect(await server.request(Buffer.from([VPCD_CONTROL.GET_ATR]))).toEqual(CLASSIC_1K_ATR);
    expect((await server.requestSplit(apdu.getUid()))?.toString('hex')).toBe('04a1b2c39000');
    expect((await server.request(apdu.loadKey(0, TRANSPORT_KEY)))?.toString('hex')).toBe('9000');
    expect((await server.request(apdu.authenticate(4, 'A', 0)))?.toString('hex')).toBe('9000');
    expect(client.stats).toMatchObject({ apdus: 3, atrRequests: 1, insertions: 1 });
    await client.remove();
  });

  it('drops the line without an answer when the card is pulled mid-write, and keeps its memory', async () => {
    const card = VirtualClassicCard.blank(Buffer.from('04A1B2C3', 'hex'));
    const { server, client } = await cardOnFakeVpcd(card);
    await server.request(apdu.loadKey(0, TRANSPORT_KEY));
    await server.request(apdu.authenticate(4, 'A', 0));
    card.tearDuringNextWrite(true);
    expect(await server.request(apdu.write(4, Buffer.alloc(16, 0x42)))).toBeNull();
    await client.remove();
    expect(client.inserted).toBe(false);
    expect(card.isPresent).toBe(false);
    expect(card.image()[4]).toEqual(Buffer.alloc(16, 0x42));
  });

  it('loses its authentication on a power cycle', async () => {
    const { server, client } = await cardOnFakeVpcd(
      VirtualClassicCard.blank(Buffer.from('04A1B2C3', 'hex')),
    );
    await server.request(apdu.loadKey(0, TRANSPORT_KEY));
    await server.request(apdu.authenticate(4, 'A', 0));
    server.send(Buffer.from([VPCD_CONTROL.RESET]));
    expect((await server.request(apdu.read(4)))?.toString('hex')).toBe('6982');
    await client.remove();
  });

  it('fails with PCSC_UNAVAILABLE when nothing listens on the port', async () => {
    const client = new VpcdCard(
      classicCardApplication(VirtualClassicCard.blank(Buffer.from('04A1B2C3', 'hex'))),
      {
        port: 1,
        hosts: ['127.0.0.1'],
      },
    );
    await expect(client.insert()).rejects.toMatchObject({ code: 'PCSC_UNAVAILABLE' });
  });
});
