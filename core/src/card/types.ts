import type { AppError } from '../errors/index.js';

/** Which key of a MIFARE Classic sector trailer authenticates a command. */
export type KeyType = 'A' | 'B';

/** What the ATR says is in the field (PC/SC part 3 for contactless storage cards). */
export type CardKind =
  'mifare-classic-1k' | 'mifare-classic-4k' | 'mifare-ultralight' | 'iso14443-4' | 'unknown';

export interface CardIdentity {
  /** 4 or 7 bytes. */
  readonly uid: Buffer;
  readonly atr: Buffer;
  readonly kind: CardKind;
}

/**
 * The MIFARE Classic command set on the card in one reader's field. Every method rejects with an
 * AppError whose code says what happened: CARD_REMOVED, CARD_AUTH_FAILED, CARD_ACCESS_DENIED,
 * CARD_NOT_AUTHENTICATED, CARD_BLOCK_INVALID, READER_UNPLUGGED, READER_BUSY, CARD_COMMAND_FAILED.
 * Authentication holds for the sector of `block` until another sector is authenticated, the card
 * leaves the field, or a command fails.
 */
export interface ClassicCardIo {
  readonly identity: CardIdentity;
  authenticate(block: number, keyType: KeyType, key: Buffer): Promise<void>;
  /** 16 bytes. Trailer key A always reads as zeros; key B as zeros unless the access bits let it be read. */
  readBlock(block: number): Promise<Buffer>;
  writeBlock(block: number, data: Buffer): Promise<void>;
}

/** A card as it arrives in a reader's field: its identity, and Classic I/O when it is a Classic. */
export interface CardInField {
  readonly identity: CardIdentity;
  readonly classic: ClassicCardIo | null;
}

export type ReaderFeedback = 'ok' | 'fail' | 'attention';

export interface ReaderListeners {
  card: (card: CardInField) => void;
  cardRemoved: (identity: CardIdentity) => void;
  error: (error: AppError) => void;
  /** The reader was unplugged or closed; it sends nothing more. */
  end: () => void;
}

/** One reader (PC/SC, vpcd, or in-process). `on` returns a function that removes the listener. */
export interface CardReader {
  readonly name: string;
  current(): CardInField | null;
  on<E extends keyof ReaderListeners>(event: E, listener: ReaderListeners[E]): () => void;
  /** LED and buzzer where the reader has them; resolves without doing anything elsewhere. */
  feedback(kind: ReaderFeedback): Promise<void>;
}

export interface ReaderHubListeners {
  reader: (reader: CardReader) => void;
  readerRemoved: (name: string) => void;
  error: (error: AppError) => void;
}

/** All readers of one process: attach and detach as they are plugged in and out. */
export interface ReaderHub {
  readers(): readonly CardReader[];
  on<E extends keyof ReaderHubListeners>(event: E, listener: ReaderHubListeners[E]): () => void;
  close(): Promise<void>;
}
