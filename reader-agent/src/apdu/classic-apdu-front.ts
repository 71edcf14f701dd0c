import type { ClassicCardIo, KeyType } from '@citycard/core/card';
import { isAppError, type ErrorCode } from '@citycard/core/errors';
import { SW, withStatus } from './commands.js';

const KEY_SLOTS = 2;
const BLOCK_SIZE = 16;

type Handler = (command: Buffer) => Buffer | Promise<Buffer>;

export interface ApduFrontStats {
  apdus: number;
}

/**
 * What a PC/SC reader's firmware does for a MIFARE Classic in its field: it takes the PC/SC part 3
 * pseudo-APDUs (FF CA get UID, FF 82 load key, FF 86/FF 88 authenticate, FF B0 read, FF D6 write)
 * and turns them into card commands, answering status words the way readers do. A card leaving the
 * field mid-command (CARD_REMOVED) is not answered: it is rethrown for the transport to drop the
 * line, as a real reader returns nothing for a card that went away.
 */
export class ClassicApduFront {
  private readonly slots: (Buffer | null)[] = Array.from({ length: KEY_SLOTS }, () => null);
  readonly stats: ApduFrontStats = { apdus: 0 };

  private readonly handlers = new Map<number, Handler>([
    [0xca, (c) => this.getData(c)],
    [0x82, (c) => this.loadKey(c)],
    [0x86, (c) => this.generalAuthenticate(c)],
    [0x88, (c) => this.legacyAuthenticate(c)],
    [0xb0, (c) => this.readBinary(c)],
    [0xd6, (c) => this.updateBinary(c)],
  ]);

  constructor(private readonly card: ClassicCardIo) {}

  async transmit(command: Buffer): Promise<Buffer> {
    this.stats.apdus += 1;
    if (command.length < 4) return withStatus(SW.WRONG_LENGTH);
    if (command[0] !== 0xff) return withStatus(SW.CLA_NOT_SUPPORTED);
    const handler = this.handlers.get(command[1] ?? 0);
    if (!handler) return withStatus(SW.INS_NOT_SUPPORTED);
    try {
      return await handler(command);
    } catch (error) {
      return cardErrorStatus(error);
    }
  }

  /** Forgets loaded keys, as a reader does when it is reset or unplugged. */
  clearKeys(): void {
    for (const key of this.slots) key?.fill(0);
    this.slots.fill(null);
  }

  private getData(command: Buffer): Buffer {
    if (command[2] !== 0x00) return withStatus(SW.FUNCTION_NOT_SUPPORTED);
    const uid = this.card.identity.uid;
    const le = command[4] ?? 0;
    if (le !== 0 && le < uid.length) return withStatus(0x6c00 | uid.length);
    return withStatus(SW.OK, uid);
  }

  private loadKey(command: Buffer): Buffer {
    const slot = command[3] ?? 0xff;
    if (command[4] !== 6 || command.length !== 11) return withStatus(SW.WRONG_LENGTH);
    if (slot >= KEY_SLOTS) return withStatus(SW.KEY_NUMBER_INVALID);
    this.slots[slot]?.fill(0);
    this.slots[slot] = Buffer.from(command.subarray(5, 11));
    return withStatus(SW.OK);
  }

  private async generalAuthenticate(command: Buffer): Promise<Buffer> {
    if (command[4] !== 5 || command.length !== 10 || command[5] !== 0x01) {
      return withStatus(SW.WRONG_LENGTH);
    }
    return this.authenticate(command[7] ?? 0, command[8] ?? 0, command[9] ?? 0xff);
  }

  private async legacyAuthenticate(command: Buffer): Promise<Buffer> {
    if (command.length !== 6) return withStatus(SW.WRONG_LENGTH);
    return this.authenticate(command[3] ?? 0, command[4] ?? 0, command[5] ?? 0xff);
  }

  private async authenticate(block: number, keyTypeByte: number, slot: number): Promise<Buffer> {
    const keyType: KeyType | null = keyTypeByte === 0x60 ? 'A' : keyTypeByte === 0x61 ? 'B' : null;
    if (!keyType) return withStatus(SW.NOT_ALLOWED);
    const key = slot < KEY_SLOTS ? this.slots[slot] : null;
    if (!key) return withStatus(SW.KEY_NUMBER_INVALID);
    await this.card.authenticate(block, keyType, key);
    return withStatus(SW.OK);
  }

  private async readBinary(command: Buffer): Promise<Buffer> {
    if (command.length !== 5) return withStatus(SW.WRONG_LENGTH);
    if (command[2] !== 0x00) return withStatus(SW.OUT_OF_RANGE);
    const le = command[4] ?? 0;
    if (le !== BLOCK_SIZE && le !== 0) return withStatus(0x6c00 | BLOCK_SIZE);
    const data = await this.card.readBlock(command[3] ?? 0);
    return withStatus(SW.OK, data);
  }

  private async updateBinary(command: Buffer): Promise<Buffer> {
    if (command[4] !== BLOCK_SIZE || command.length !== 5 + BLOCK_SIZE) {
      return withStatus(SW.WRONG_LENGTH);
    }
    if (command[2] !== 0x00) return withStatus(SW.OUT_OF_RANGE);
    await this.card.writeBlock(command[3] ?? 0, Buffer.from(command.subarray(5)));
    return withStatus(SW.OK);
  }
}

const STATUS_OF_CARD_ERROR: Partial<Record<ErrorCode, number>> = {
  CARD_AUTH_FAILED: SW.FAILED,
  CARD_NOT_AUTHENTICATED: SW.NOT_AUTHENTICATED,
  CARD_ACCESS_DENIED: SW.NOT_ALLOWED,
  CARD_BLOCK_INVALID: SW.OUT_OF_RANGE,
};

function cardErrorStatus(error: unknown): Buffer {
  if (!isAppError(error)) return withStatus(SW.FAILED);
  if (error.code === 'CARD_REMOVED') throw error;
  return withStatus(STATUS_OF_CARD_ERROR[error.code] ?? SW.FAILED);
}
