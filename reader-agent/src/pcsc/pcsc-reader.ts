import type {
  CardIdentity,
  CardInField,
  CardReader,
  ReaderFeedback,
  ReaderListeners,
} from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import { apdu, statusWord, SW } from '../apdu/index.js';
import { parseAtr } from '../atr/index.js';
import { Listeners } from '../events/index.js';
import type { NfcCardData, NfcReaderDevice } from './nfc-pcsc-surface.js';
import { mapPcscError } from './pcsc-errors.js';
import { PcscClassicIo } from './pcsc-classic-io.js';
import { acr122FeedbackApdu, hasAcr122Feedback } from './reader-feedback.js';

/** One PC/SC reader: card arrival and removal, identity from the ATR and FF CA, Classic I/O. */
export class PcscReader implements CardReader {
  private readonly listeners: Listeners<ReaderListeners>;
  private card: { field: CardInField; io: PcscClassicIo | null } | null = null;
  /** Bumped on every arrival and removal, so a slow UID read never reports a card that left. */
  private generation = 0;
  private ended = false;

  /**
   * Resolves once pcsc-lite's status thread for this reader has reported. Closing a reader before
   * that leaks the addon's wake-up handle (the thread never signals its exit), and the process
   * then never ends. It resolves on a later tick: the addon calls `status` listeners while
   * holding the reader's lock, which close() takes too.
   */
  readonly started: Promise<void>;

  constructor(private readonly device: NfcReaderDevice) {
    const raw = device.reader;
    this.started =
      !raw || typeof raw.state === 'number'
        ? Promise.resolve()
        : new Promise((resolve) => raw.once('status', () => setImmediate(resolve)));
    this.listeners = new Listeners<ReaderListeners>((error) => this.reportListenerError(error));
    device.autoProcessing = false;
    device.on('card', (data) => void this.cardArrived(data));
    device.on('card.off', () => this.cardLeft());
    device.on('error', (error) =>
      this.listeners.emitLater('error', mapPcscError(error, { op: 'reader', reader: this.name })),
    );
    device.on('end', () => this.readerEnded());
  }

  get name(): string {
    return this.device.name;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  current(): CardInField | null {
    return this.card?.field ?? null;
  }

  on<E extends keyof ReaderListeners>(event: E, listener: ReaderListeners[E]): () => void {
    return this.listeners.on(event, listener);
  }

  async feedback(kind: ReaderFeedback): Promise<void> {
    const io = this.card?.io;
    // The pseudo-APDU travels on the card channel: with no card connected there is nothing to do.
    if (!hasAcr122Feedback(this.name) || !io?.present) return;
    try {
      await io.raw(acr122FeedbackApdu(kind), 2);
    } catch {
      // LED and buzzer are a courtesy; a failure here must not fail the card session
    }
  }

  close(): void {
    try {
      this.device.close();
    } catch {
      // already closed
    }
  }

  private async cardArrived(data: NfcCardData): Promise<void> {
    const generation = ++this.generation;
    const atr = Buffer.from(data.atr ?? Buffer.alloc(0));
    const info = parseAtr(atr);
    let uid: Buffer = Buffer.alloc(0);
    if (info.contactless) {
      try {
        uid = await this.readUid();
      } catch (error) {
        const mapped = mapPcscError(error, { op: 'getUid', reader: this.name });
        if (mapped.code === 'CARD_REMOVED' || generation !== this.generation) return;
        this.listeners.emitLater('error', mapped);
      }
    }
    if (generation !== this.generation) return;
    const identity: CardIdentity = { uid, atr, kind: info.kind };
    const classic =
      (info.kind === 'mifare-classic-1k' || info.kind === 'mifare-classic-4k') && uid.length > 0
        ? new PcscClassicIo(identity, (command, max) => this.device.transmit(command, max))
        : null;
    this.card = { field: { identity, classic }, io: classic };
    this.listeners.emitLater('card', this.card.field);
  }

  private async readUid(): Promise<Buffer> {
    const response = await this.device.transmit(apdu.getUid(), 12);
    if (response.length < 2) throw new AppError('CARD_REMOVED', { details: { op: 'getUid' } });
    // A card or reader without FF CA support still gets reported, with an empty UID.
    if (statusWord(response) !== SW.OK) return Buffer.alloc(0);
    return Buffer.from(response.subarray(0, -2));
  }

  private cardLeft(): void {
    this.generation += 1;
    const card = this.card;
    this.card = null;
    if (!card) return;
    card.io?.markGone('CARD_REMOVED');
    this.listeners.emitLater('cardRemoved', card.field.identity);
  }

  private readerEnded(): void {
    if (this.ended) return;
    this.ended = true;
    this.generation += 1;
    const card = this.card;
    this.card = null;
    if (card) {
      card.io?.markGone('READER_UNPLUGGED');
      this.listeners.emitLater('cardRemoved', card.field.identity);
    }
    setImmediate(() => {
      this.listeners.emit('end');
      this.listeners.clear();
    });
  }

  private reportingListenerError = false;

  private reportListenerError(error: unknown): void {
    // an `error` listener that throws itself is not reported again (no loop)
    if (this.reportingListenerError) return;
    this.reportingListenerError = true;
    try {
      const wrapped = new AppError('INTERNAL', { cause: error, details: { reader: this.name } });
      this.listeners.emit('error', wrapped);
    } finally {
      this.reportingListenerError = false;
    }
  }
}
