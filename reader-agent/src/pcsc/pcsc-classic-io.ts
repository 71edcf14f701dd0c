import type { CardIdentity, ClassicCardIo, KeyType } from '@citycard/core/card';
import { AppError, type ErrorCode } from '@citycard/core/errors';
import { apdu, statusWord, SW } from '../apdu/index.js';
import { mapPcscError, statusWordError, type ClassicOp } from './pcsc-errors.js';

export type Transmit = (command: Buffer, responseMaxLength: number) => Promise<Buffer>;

export interface ClassicIoStats {
  apdus: number;
  keyLoads: number;
  auths: number;
  reads: number;
  writes: number;
}

const KEY_SLOTS = 2;

export function sectorOfBlock(block: number): number {
  return block < 128 ? Math.floor(block / 4) : 32 + Math.floor((block - 128) / 16);
}

/**
 * MIFARE Classic through a PC/SC reader's pseudo-APDUs. One instance per card in the field: it
 * dies with the card (`markGone`), and commands are serialised so a LOAD KEY and the
 * AUTHENTICATE using its slot are never split by another caller.
 */
export class PcscClassicIo implements ClassicCardIo {
  readonly stats: ClassicIoStats = { apdus: 0, keyLoads: 0, auths: 0, reads: 0, writes: 0 };
  private readonly slots: (Buffer | null)[] = Array.from({ length: KEY_SLOTS }, () => null);
  private nextSlot = 0;
  private authSector: number | null = null;
  private gone: ErrorCode | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lastBlock: number;

  constructor(
    readonly identity: CardIdentity,
    private readonly transmit: Transmit,
  ) {
    this.lastBlock = identity.kind === 'mifare-classic-4k' ? 255 : 63;
  }

  authenticate(block: number, keyType: KeyType, key: Buffer): Promise<void> {
    return this.serial(async () => {
      this.checkBlock(block);
      if (key.length !== 6) throw new AppError('KEY_INVALID', { details: { op: 'authenticate' } });
      this.authSector = null;
      const slot = await this.slotFor(key);
      this.stats.auths += 1;
      const response = await this.send(apdu.authenticate(block, keyType, slot), 2, 'authenticate');
      this.expectOk(response, 'authenticate', block);
      this.authSector = sectorOfBlock(block);
    });
  }

  readBlock(block: number): Promise<Buffer> {
    return this.serial(async () => {
      this.checkAccessible(block);
      this.stats.reads += 1;
      const response = await this.send(apdu.read(block), 18, 'read');
      this.expectOk(response, 'read', block);
      if (response.length !== 18) {
        this.authSector = null;
        throw new AppError('CARD_COMMAND_FAILED', {
          details: { op: 'read', block, length: response.length },
        });
      }
      return Buffer.from(response.subarray(0, 16));
    });
  }

  writeBlock(block: number, data: Buffer): Promise<void> {
    return this.serial(async () => {
      if (data.length !== 16) {
        throw new AppError('CARD_BLOCK_INVALID', {
          details: { op: 'write', block, length: data.length },
        });
      }
      this.checkAccessible(block);
      this.stats.writes += 1;
      const response = await this.send(apdu.write(block, data), 2, 'write');
      this.expectOk(response, 'write', block);
    });
  }

  /** Sends a raw APDU in turn with the card commands (reader feedback, diagnostics). */
  raw(command: Buffer, responseMaxLength: number): Promise<Buffer> {
    return this.serial(() => this.send(Buffer.from(command), responseMaxLength, 'control'));
  }

  /** The card left the field or the reader went away: every later command fails with `code`. */
  markGone(code: 'CARD_REMOVED' | 'READER_UNPLUGGED'): void {
    this.gone ??= code;
    this.authSector = null;
    for (const key of this.slots) key?.fill(0);
    this.slots.fill(null);
  }

  get present(): boolean {
    return this.gone === null;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async slotFor(key: Buffer): Promise<number> {
    const loaded = this.slots.findIndex((k) => k !== null && k.equals(key));
    if (loaded >= 0) return loaded;
    const slot = this.nextSlot;
    this.nextSlot = (this.nextSlot + 1) % KEY_SLOTS;
    this.slots[slot]?.fill(0);
    this.slots[slot] = null;
    this.stats.keyLoads += 1;
    const response = await this.send(apdu.loadKey(slot, key), 2, 'loadKey');
    this.expectOk(response, 'loadKey');
    this.slots[slot] = Buffer.from(key);
    return slot;
  }

  private checkBlock(block: number): void {
    if (!Number.isInteger(block) || block < 0 || block > this.lastBlock) {
      throw new AppError('CARD_BLOCK_INVALID', { details: { block } });
    }
  }

  private checkAccessible(block: number): void {
    this.checkBlock(block);
    if (this.gone) throw new AppError(this.gone, { details: { block } });
    if (this.authSector !== sectorOfBlock(block)) {
      throw new AppError('CARD_NOT_AUTHENTICATED', { details: { block } });
    }
  }

  private async send(command: Buffer, maxLength: number, op: ClassicOp): Promise<Buffer> {
    if (this.gone) throw new AppError(this.gone, { details: { op } });
    this.stats.apdus += 1;
    let response: Buffer;
    try {
      response = await this.transmit(command, maxLength);
    } catch (error) {
      const mapped = mapPcscError(error, { op });
      if (mapped.code === 'CARD_REMOVED' || mapped.code === 'READER_UNPLUGGED') {
        this.markGone(mapped.code);
      }
      throw mapped;
    } finally {
      // the command may carry a key or block data: do not leave it in memory longer than needed
      command.fill(0);
    }
    if (response.length < 2) {
      // pcsc-lite hands back an empty answer when the card left mid-command
      this.markGone('CARD_REMOVED');
      throw new AppError('CARD_REMOVED', { details: { op } });
    }
    return response;
  }

  private expectOk(response: Buffer, op: ClassicOp, block?: number): void {
    const sw = statusWord(response);
    if (sw === SW.OK) return;
    // a real card halts after any refused command: the sector must be authenticated again
    this.authSector = null;
    throw statusWordError(sw ?? 0, op, block);
  }
}
