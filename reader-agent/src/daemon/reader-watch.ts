import type { CardReader, ReaderHub } from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import type { Logger } from '@citycard/core/logging';
import { cardView, type EventBus, type ReaderView } from './events.js';

interface Watched {
  readonly reader: CardReader;
  readonly unsubscribe: readonly (() => void)[];
}

/** Follows the hub's readers and their cards, and turns what happens into console events. */
export class ReaderWatch {
  private readonly watched = new Map<string, Watched>();
  private readonly hubListeners: (() => void)[] = [];

  constructor(
    hub: ReaderHub,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {
    this.hubListeners.push(
      hub.on('reader', (reader) => this.add(reader)),
      hub.on('readerRemoved', (name) => this.remove(name)),
      hub.on('error', (error) => this.error(undefined, error)),
    );
    for (const reader of hub.readers()) this.add(reader);
  }

  list(): ReaderView[] {
    return [...this.watched.values()].map(({ reader }) => viewOf(reader));
  }

  get(name: string): CardReader {
    const watched = this.watched.get(name);
    if (watched === undefined) {
      throw new AppError('READER_NOT_FOUND', { details: { reader: name } });
    }
    return watched.reader;
  }

  close(): void {
    for (const off of this.hubListeners.splice(0)) off();
    for (const name of [...this.watched.keys()]) this.detach(name);
  }

  private add(reader: CardReader): void {
    if (this.watched.has(reader.name)) return;
    const name = reader.name;
    const unsubscribe = [
      reader.on('card', (card) => {
        this.log.info({ reader: name, kind: card.identity.kind }, 'card present');
        this.bus.emit({ type: 'card', data: { reader: name, ...cardView(card.identity) } });
      }),
      reader.on('cardRemoved', (identity) => {
        this.log.info({ reader: name }, 'card removed');
        const uid = identity.uid.toString('hex').toUpperCase();
        this.bus.emit({ type: 'cardRemoved', data: { reader: name, uid } });
      }),
      reader.on('error', (error) => this.error(name, error)),
      reader.on('end', () => this.remove(name)),
    ];
    this.watched.set(name, { reader, unsubscribe });
    this.log.info({ reader: name }, 'reader attached');
    this.bus.emit({ type: 'reader', data: viewOf(reader) });
  }

  private remove(name: string): void {
    if (!this.detach(name)) return;
    this.log.info({ reader: name }, 'reader detached');
    this.bus.emit({ type: 'readerRemoved', data: { name } });
  }

  private detach(name: string): boolean {
    const watched = this.watched.get(name);
    if (watched === undefined) return false;
    this.watched.delete(name);
    for (const off of watched.unsubscribe) off();
    return true;
  }

  private error(reader: string | undefined, error: AppError): void {
    this.log.warn({ reader, code: error.code }, 'reader error');
    this.bus.emit({
      type: 'error',
      data: {
        ...(reader === undefined ? {} : { reader }),
        code: error.code,
        message: error.message,
      },
    });
  }
}

function viewOf(reader: CardReader): ReaderView {
  const card = reader.current();
  return { name: reader.name, card: card === null ? null : cardView(card.identity) };
}
