import { randomBytes } from 'node:crypto';
import type { VirtualClassicCard } from '@citycard/core/card';
import { isAppError } from '@citycard/core/errors';
import { ClassicApduFront, SW, withStatus } from '../apdu/index.js';
import { iso14443Part4Atr } from '../atr/index.js';

/** What sits behind a vpcd socket: a card as the reader sees it (ATR and APDU answers). */
export interface VpcdCardApplication {
  readonly atr: Buffer;
  /** Rejecting with CARD_REMOVED means the card left mid-command: the line is dropped unanswered. */
  transmit(command: Buffer): Promise<Buffer>;
  /** false once the card has left the field by itself (a torn test card). */
  readonly inField: boolean;
  inserted(): void;
  removed(): void;
  /** Power off, power on or reset: the card loses its authentication. */
  powerCycled(): void;
}

/** A MIFARE Classic 1K behind the PC/SC pseudo-APDU front, as a reader's firmware presents it. */
export function classicCardApplication(card: VirtualClassicCard): VpcdCardApplication & {
  readonly front: ClassicApduFront;
} {
  const front = new ClassicApduFront(card);
  return {
    front,
    atr: card.identity.atr,
    get inField() {
      return card.isPresent;
    },
    transmit: (command) => front.transmit(command),
    inserted: () => card.present(),
    removed: () => {
      card.remove();
      front.clearKeys();
    },
    powerCycled: () => {
      if (card.isPresent) card.present();
    },
  };
}

export interface ForeignCardOptions {
  atr?: Buffer;
  /** The UID the reader reports for FF CA; null: the card does not give one (6A 81). */
  uid?: Buffer | null;
}

/**
 * A card that is not a MIFARE Classic, such as a phone or a bank card (ISO 14443-4 by default):
 * it answers FF CA with a random UID and refuses everything else as such a card would.
 */
export function foreignCardApplication(options: ForeignCardOptions = {}): VpcdCardApplication {
  const atr = options.atr ?? iso14443Part4Atr(Buffer.alloc(0));
  const uid =
    options.uid === undefined ? Buffer.concat([Buffer.from([0x08]), randomBytes(3)]) : options.uid;
  let present = true;
  return {
    atr,
    get inField() {
      return present;
    },
    transmit: (command) => Promise.resolve(foreignAnswer(command, uid)),
    inserted: () => {
      present = true;
    },
    removed: () => {
      present = false;
    },
    powerCycled: () => {},
  };
}

function foreignAnswer(command: Buffer, uid: Buffer | null): Buffer {
  if (command[0] === 0xff && command[1] === 0xca) {
    return uid ? withStatus(SW.OK, uid) : withStatus(SW.FUNCTION_NOT_SUPPORTED);
  }
  if (command[0] === 0xff) return withStatus(SW.INS_NOT_SUPPORTED);
  // SELECT of an application the card does not have, or any other ISO 7816 command
  if (command[1] === 0xa4) return withStatus(SW.OUT_OF_RANGE);
  return withStatus(SW.INS_NOT_SUPPORTED);
}

export function isCardRemoved(error: unknown): boolean {
  return isAppError(error) && error.code === 'CARD_REMOVED';
}
