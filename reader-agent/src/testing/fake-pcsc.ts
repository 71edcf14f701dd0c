import { EventEmitter } from 'node:events';
import { isAppError } from '@citycard/core/errors';
import type { NfcCardData, NfcReaderDevice, NfcSource } from '../pcsc/index.js';
import type { VpcdCardApplication } from '../vpcd/index.js';

/**
 * A stand-in for nfc-pcsc with autoProcessing off: readers and cards plugged by calls, APDUs
 * answered by the same card applications that sit behind vpcd. Unit tests drive PcscReaderHub
 * with it; the real stack is covered by the pcscd integration tests.
 */
export class FakePcscDevice extends EventEmitter implements NfcReaderDevice {
  autoProcessing = true;
  readonly sent: Buffer[] = [];
  private card: VpcdCardApplication | null = null;
  /** When set, the next transmit rejects with this error (a pcsc-lite failure). */
  failNextTransmit: Error | null = null;
  closed = false;

  constructor(readonly name: string) {
    super();
  }

  insert(card: VpcdCardApplication): void {
    this.card = card;
    card.inserted();
    const data: NfcCardData = { atr: card.atr, standard: 'TAG_ISO_14443_3' };
    setImmediate(() => this.emit('card', data));
  }

  remove(): void {
    const card = this.card;
    if (!card) return;
    this.card = null;
    card.removed();
    setImmediate(() => this.emit('card.off', { atr: card.atr }));
  }

  unplug(): void {
    this.remove();
    setImmediate(() => this.emit('end'));
  }

  transmit(data: Buffer, _responseMaxLength: number): Promise<Buffer> {
    const card = this.card;
    if (!card) throw new Error('No card or connection available.');
    this.sent.push(Buffer.from(data));
    const failure = this.failNextTransmit;
    this.failNextTransmit = null;
    if (failure) return Promise.reject(failure);
    return card.transmit(Buffer.from(data)).then(
      (response) => {
        if (!card.inField) this.remove();
        return response;
      },
      (error: unknown) => {
        // pcsc-lite answers an empty response when the card leaves mid-command
        if (isAppError(error) && error.code === 'CARD_REMOVED') {
          this.remove();
          return Buffer.alloc(0);
        }
        throw error;
      },
    );
  }

  close(): void {
    this.closed = true;
  }
}

export class FakePcscSource extends EventEmitter implements NfcSource {
  readonly devices = new Map<string, FakePcscDevice>();
  closed = false;

  plug(name: string): FakePcscDevice {
    const device = new FakePcscDevice(name);
    this.devices.set(name, device);
    setImmediate(() => this.emit('reader', device));
    return device;
  }

  unplug(name: string): void {
    this.devices.get(name)?.unplug();
    this.devices.delete(name);
  }

  close(): void {
    this.closed = true;
  }
}
