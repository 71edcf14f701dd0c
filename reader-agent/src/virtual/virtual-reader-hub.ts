import type { CardReader, ReaderHub, ReaderHubListeners } from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import { Listeners } from '../events/index.js';
import { VirtualReader } from './virtual-reader.js';

/** In-process readers that are plugged and unplugged by calls, for tests and the demo. */
export class VirtualReaderHub implements ReaderHub {
  private readonly byName = new Map<string, VirtualReader>();
  private readonly listeners = new Listeners<ReaderHubListeners>();
  private closed = false;

  readers(): readonly CardReader[] {
    return [...this.byName.values()];
  }

  reader(name: string): VirtualReader | undefined {
    return this.byName.get(name);
  }

  on<E extends keyof ReaderHubListeners>(event: E, listener: ReaderHubListeners[E]): () => void {
    return this.listeners.on(event, listener);
  }

  plug(name: string): VirtualReader {
    if (this.closed) throw new AppError('READER_UNPLUGGED', { details: { reader: name } });
    if (this.byName.has(name)) {
      throw new AppError('CONFLICT', { message: 'A reader with this name is plugged in' });
    }
    const reader = new VirtualReader(name);
    this.byName.set(name, reader);
    reader.on('end', () => {
      if (this.byName.get(name) !== reader) return;
      this.byName.delete(name);
      this.listeners.emit('readerRemoved', name);
    });
    this.listeners.emitLater('reader', reader);
    return reader;
  }

  unplug(name: string): void {
    this.byName.get(name)?.unplug();
  }

  close(): Promise<void> {
    this.closed = true;
    for (const reader of this.byName.values()) reader.unplug();
    return new Promise((resolve) => setImmediate(resolve));
  }
}
