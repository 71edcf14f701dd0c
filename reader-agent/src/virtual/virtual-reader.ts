import type {
  CardIdentity,
  CardInField,
  CardReader,
  ReaderFeedback,
  ReaderListeners,
} from '@citycard/core/card';
import { VirtualClassicCard } from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import { Listeners } from '../events/index.js';

/** A card that is not a Classic (a phone, a bank card): identity only. */
export type ForeignCard = CardIdentity;

/**
 * An in-process reader around VirtualClassicCard: the same CardReader interface as a PC/SC
 * reader, with insert/remove/unplug driven by the test or the demo. Events are delivered on a
 * later tick, as hardware events are.
 */
export class VirtualReader implements CardReader {
  /** Feedback the reader was asked for, in order (LED/buzzer stand-in). */
  readonly feedbackLog: ReaderFeedback[] = [];
  private readonly listeners = new Listeners<ReaderListeners>();
  private field: { inField: CardInField; card: VirtualClassicCard | null } | null = null;
  private unplugged = false;

  constructor(readonly name: string) {}

  get isUnplugged(): boolean {
    return this.unplugged;
  }

  current(): CardInField | null {
    return this.field?.inField ?? null;
  }

  on<E extends keyof ReaderListeners>(event: E, listener: ReaderListeners[E]): () => void {
    return this.listeners.on(event, listener);
  }

  feedback(kind: ReaderFeedback): Promise<void> {
    this.feedbackLog.push(kind);
    return Promise.resolve();
  }

  /** Puts a card in the field (a card already there is taken out first). */
  insert(card: VirtualClassicCard | ForeignCard): CardInField {
    if (this.unplugged) throw new AppError('READER_UNPLUGGED', { details: { reader: this.name } });
    if (this.field) this.remove();
    const classic = card instanceof VirtualClassicCard ? card : null;
    classic?.present();
    const inField: CardInField = {
      identity: card instanceof VirtualClassicCard ? card.identity : card,
      classic,
    };
    this.field = { inField, card: classic };
    this.listeners.emitLater('card', inField);
    return inField;
  }

  /** Takes the card out of the field; its memory stays with the VirtualClassicCard. */
  remove(): void {
    const field = this.field;
    if (!field) return;
    this.field = null;
    field.card?.remove();
    this.listeners.emitLater('cardRemoved', field.inField.identity);
  }

  /** The reader goes away: a card in it is gone for the session, and `end` follows. */
  unplug(): void {
    if (this.unplugged) return;
    this.remove();
    this.unplugged = true;
    setImmediate(() => {
      this.listeners.emit('end');
      this.listeners.clear();
    });
  }

  /** Reports a reader-level failure, as a PC/SC reader does on a pcsc-lite error. */
  fail(error: AppError): void {
    this.listeners.emitLater('error', error);
  }
}
