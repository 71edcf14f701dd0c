import type { CardReader, ReaderHub, ReaderHubListeners } from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import { Listeners } from '../events/index.js';
import {
  createNfcSource,
  pcscdReachable,
  pcscdSocketPath,
  type NfcSource,
} from './nfc-pcsc-surface.js';
import { mapPcscError } from './pcsc-errors.js';
import { PcscReader } from './pcsc-reader.js';

/** How long close() waits for a just-attached reader's status thread to come up. */
const START_WAIT_MS = 2000;

export interface PcscHubOptions {
  /** An nfc-pcsc NFC instance or a stand-in (tests); by default nfc-pcsc is loaded. */
  source?: NfcSource;
  socketPath?: string;
}

/**
 * Every PC/SC reader of this process. Readers come and go with the hardware; each has its own
 * listeners and card, so a reader that fails or is unplugged leaves the others running.
 */
export class PcscReaderHub implements ReaderHub {
  private readonly byName = new Map<string, PcscReader>();
  private readonly listeners = new Listeners<ReaderHubListeners>();
  private closed = false;

  private constructor(private readonly source: NfcSource) {
    source.on('reader', (device) => {
      if (this.closed) return;
      const reader = new PcscReader(device);
      this.byName.get(reader.name)?.close();
      this.byName.set(reader.name, reader);
      reader.on('end', () => {
        if (this.byName.get(reader.name) !== reader) return;
        this.byName.delete(reader.name);
        this.listeners.emitLater('readerRemoved', reader.name);
      });
      this.listeners.emitLater('reader', reader);
    });
    source.on('error', (error) => {
      const mapped = mapPcscError(error, { op: 'listReaders' });
      // pcsc-lite reports a vanished pcscd as a failed status-change wait
      const code = mapped.code === 'CARD_COMMAND_FAILED' ? 'PCSC_UNAVAILABLE' : mapped.code;
      this.listeners.emitLater(
        'error',
        new AppError(code, { details: mapped.details, cause: error }),
      );
    });
  }

  /** Rejects with PCSC_UNAVAILABLE when pcscd does not answer (or nfc-pcsc is missing). */
  static async open(options: PcscHubOptions = {}): Promise<PcscReaderHub> {
    if (options.source) return new PcscReaderHub(options.source);
    const socketPath = options.socketPath ?? pcscdSocketPath();
    if (!(await pcscdReachable(socketPath))) {
      throw new AppError('PCSC_UNAVAILABLE', { details: { socket: socketPath } });
    }
    return new PcscReaderHub(await createNfcSource());
  }

  readers(): readonly CardReader[] {
    return [...this.byName.values()];
  }

  reader(name: string): PcscReader | undefined {
    return this.byName.get(name);
  }

  on<E extends keyof ReaderHubListeners>(event: E, listener: ReaderHubListeners[E]): () => void {
    return this.listeners.on(event, listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const readers = [...this.byName.values()];
    this.byName.clear();
    this.listeners.clear();
    await Promise.race([
      Promise.all(readers.map((r) => r.started)),
      new Promise((resolve) => setTimeout(resolve, START_WAIT_MS)),
    ]);
    for (const reader of readers) reader.close();
    try {
      this.source.close();
    } catch {
      // already closed
    }
  }
}
