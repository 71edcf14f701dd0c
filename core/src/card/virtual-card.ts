import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors/index.js';
import {
  decodeAccessBits,
  permits,
  transportTrailer,
  type AccessOp,
  type BlockOffset,
  type SectorAccess,
} from './access-bits.js';
import { BLOCK_SIZE, BLOCKS_1K } from './bytes.js';
import type { CardIdentity, ClassicCardIo, KeyType } from './types.js';

export const CLASSIC_1K_ATR: Buffer = Buffer.from(
  '3B8F8001804F0CA000000306030001000000006A',
  'hex',
);

export interface VirtualCardStats {
  commands: number;
  auths: number;
  reads: number;
  writes: number;
}

function manufacturerBlock(uid: Buffer): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  uid.copy(block);
  if (uid.length === 4) {
    block[4] = uid.reduce((x, y) => x ^ y, 0);
    Buffer.from([0x08, 0x04, 0x00]).copy(block, 5);
  } else {
    Buffer.from([0x08, 0x44, 0x00]).copy(block, 7);
  }
  return block;
}

const removed = (): AppError => new AppError('CARD_REMOVED');
const denied = (block: number, op: AccessOp): AppError =>
  new AppError('CARD_ACCESS_DENIED', { details: { block, op } });

/**
 * An in-process MIFARE Classic 1K: keys and access bits are enforced per block as `permits` says,
 * the memory survives removal, and tests can pull the card after any command.
 */
export class VirtualClassicCard implements ClassicCardIo {
  readonly identity: CardIdentity;
  readonly stats: VirtualCardStats = { commands: 0, auths: 0, reads: 0, writes: 0 };
  private readonly memory: Buffer[];
  // A trailer written with malformed access bits blocks its sector for ever, as on a real card.
  private readonly bricked = new Set<number>();
  private auth: { sector: number; keyType: KeyType } | null = null;
  private inField = true;
  private tearCountdown: number | null = null;
  private tearWrite: { applied: boolean } | null = null;

  private constructor(uid: Buffer, blocks: Buffer[]) {
    if (uid.length !== 4 && uid.length !== 7) {
      throw new AppError('CARD_DATA_INVALID', { message: 'A UID is 4 or 7 bytes' });
    }
    if (blocks.length !== BLOCKS_1K || blocks.some((b) => b.length !== BLOCK_SIZE)) {
      throw new AppError('CARD_DATA_INVALID', { message: 'A 1K image is 64 blocks of 16 bytes' });
    }
    this.identity = {
      uid: Buffer.from(uid),
      atr: Buffer.from(CLASSIC_1K_ATR),
      kind: 'mifare-classic-1k',
    };
    this.memory = blocks.map((b) => Buffer.from(b));
    for (let sector = 0; sector < BLOCKS_1K / 4; sector++) {
      if (this.accessOf(sector) === null) this.bricked.add(sector);
    }
  }

  /** A card as it leaves the factory: UID and BCC in block 0, transport trailers, zero data. */
  static blank(uid: Buffer): VirtualClassicCard {
    const blocks = Array.from({ length: BLOCKS_1K }, (_, i) =>
      i % 4 === 3 ? transportTrailer() : Buffer.alloc(BLOCK_SIZE),
    );
    blocks[0] = manufacturerBlock(uid);
    return new VirtualClassicCard(uid, blocks);
  }

  static fromImage(uid: Buffer, blocks: Buffer[]): VirtualClassicCard {
    return new VirtualClassicCard(uid, blocks);
  }

  get isPresent(): boolean {
    return this.inField;
  }

  /** The card leaves the field; its memory stays. */
  remove(): void {
    this.inField = false;
    this.auth = null;
    this.tearCountdown = null;
  }

  /** The card comes (back) into the field, unauthenticated. */
  present(): void {
    this.inField = true;
    this.auth = null;
  }

  /** After `n` more successful commands the card leaves the field. */
  tearAfter(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('tearAfter takes a count >= 0');
    if (n === 0) this.remove();
    else this.tearCountdown = n;
  }

  /** The next write is cut by removal, with its data reaching the memory or not. */
  tearDuringNextWrite(applied: boolean): void {
    this.tearWrite = { applied };
  }

  /** Raw memory including keys (test use). */
  image(): Buffer[] {
    return this.memory.map((b) => Buffer.from(b));
  }

  authenticate(block: number, keyType: KeyType, key: Buffer): Promise<void> {
    return this.command(() => {
      this.stats.auths++;
      const sector = this.sectorOf(block);
      this.auth = null;
      const trailer = this.block(sector * 4 + 3);
      const stored = keyType === 'A' ? trailer.subarray(0, 6) : trailer.subarray(10, 16);
      const matches = key.length === 6 && timingSafeEqual(stored, key);
      if (!matches || this.bricked.has(sector)) throw new AppError('CARD_AUTH_FAILED');
      this.auth = { sector, keyType };
    });
  }

  readBlock(block: number): Promise<Buffer> {
    return this.command(() => {
      this.stats.reads++;
      const { access, keyType, offset } = this.authorised(block);
      if (offset !== 3) {
        if (!permits(access, offset, 'read', keyType)) throw denied(block, 'read');
        return Buffer.from(this.block(block));
      }
      const readAccess = permits(access, 3, 'readAccess', keyType);
      const readKeyB = permits(access, 3, 'readKeyB', keyType);
      if (!readAccess && !readKeyB) throw denied(block, 'readAccess');
      const out = Buffer.alloc(BLOCK_SIZE);
      const stored = this.block(block);
      if (readAccess) stored.copy(out, 6, 6, 10);
      if (readKeyB) stored.copy(out, 10, 10, 16);
      return out;
    });
  }

  writeBlock(block: number, data: Buffer): Promise<void> {
    return this.command(() => {
      this.stats.writes++;
      if (data.length !== BLOCK_SIZE) {
        throw new AppError('CARD_BLOCK_INVALID', { message: 'A block write takes 16 bytes' });
      }
      const { access, keyType, offset } = this.authorised(block);
      if (block === 0) throw denied(block, 'write');
      if (offset === 3) this.checkTrailerWrite(block, access, keyType, data);
      else if (!permits(access, offset, 'write', keyType)) throw denied(block, 'write');
      this.applyWrite(block, data);
    });
  }

  private checkTrailerWrite(block: number, access: SectorAccess, key: KeyType, data: Buffer): void {
    const stored = this.block(block);
    const parts: [AccessOp, number, number][] = [
      ['writeKeyA', 0, 6],
      ['writeAccess', 6, 10],
      ['writeKeyB', 10, 16],
    ];
    let anyAllowed = false;
    for (const [op, from, to] of parts) {
      const allowed = permits(access, 3, op, key);
      anyAllowed ||= allowed;
      // A real card silently keeps a part it may not write; refusing makes such a plan fail loudly.
      if (!allowed && !stored.subarray(from, to).equals(data.subarray(from, to))) {
        throw denied(block, op);
      }
    }
    if (!anyAllowed) throw denied(block, 'writeAccess');
  }

  private applyWrite(block: number, data: Buffer): void {
    const tear = this.tearWrite;
    this.tearWrite = null;
    if (tear === null || tear.applied) {
      data.copy(this.block(block));
      const sector = block >> 2;
      if (block % 4 === 3 && this.accessOf(sector) === null) this.bricked.add(sector);
    }
    if (tear !== null) {
      this.remove();
      throw removed();
    }
  }

  private async command<T>(run: () => T): Promise<T> {
    await Promise.resolve();
    if (!this.inField) throw removed();
    this.stats.commands++;
    let result: T;
    try {
      result = run();
    } catch (error) {
      // Any refused command leaves the card unauthenticated (it halts until selected again).
      this.auth = null;
      throw error;
    }
    if (this.tearCountdown !== null && --this.tearCountdown === 0) this.remove();
    return result;
  }

  private sectorOf(block: number): number {
    if (!Number.isInteger(block) || block < 0 || block >= BLOCKS_1K) {
      throw new AppError('CARD_BLOCK_INVALID', { details: { block } });
    }
    return block >> 2;
  }

  private authorised(block: number): {
    access: SectorAccess;
    keyType: KeyType;
    offset: BlockOffset;
  } {
    const sector = this.sectorOf(block);
    if (this.auth?.sector !== sector) {
      throw new AppError('CARD_NOT_AUTHENTICATED', { details: { block } });
    }
    const access = this.accessOf(sector);
    if (access === null) throw denied(block, 'read');
    return { access, keyType: this.auth.keyType, offset: (block & 3) as BlockOffset };
  }

  private accessOf(sector: number): SectorAccess | null {
    try {
      return decodeAccessBits(this.block(sector * 4 + 3).subarray(6, 9));
    } catch {
      return null;
    }
  }

  private block(n: number): Buffer {
    const b = this.memory[n];
    if (b === undefined) throw new AppError('CARD_BLOCK_INVALID', { details: { block: n } });
    return b;
  }
}
