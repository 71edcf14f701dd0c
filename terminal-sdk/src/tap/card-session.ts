import {
  decodeIssuerInfo,
  decodePurse,
  decodeTransitState,
  EMPTY_TRANSIT_STATE,
  LAYOUT_V1,
  sectorOfBlock,
  toHex,
  type CardKeys,
  type ClassicCardIo,
  type IssuerInfo,
  type PurseState,
  type TransitState,
} from '@citycard/core/card';
import { isAppError } from '@citycard/core/errors';

/** Block I/O with key B, authenticating only when the sector changes. */
export class CardSession {
  readonly #io: ClassicCardIo;
  readonly #keys: CardKeys;
  #sector: number | null = null;

  constructor(io: ClassicCardIo, keys: CardKeys) {
    this.#io = io;
    this.#keys = keys;
  }

  async #auth(block: number): Promise<void> {
    const sector = sectorOfBlock(block);
    if (this.#sector === sector) return;
    this.#sector = null;
    await this.#io.authenticate(block, 'B', this.#keys.sector(sector).keyB);
    this.#sector = sector;
  }

  async read(block: number): Promise<Buffer> {
    try {
      await this.#auth(block);
      return await this.#io.readBlock(block);
    } catch (e) {
      this.#sector = null;
      throw e;
    }
  }

  async write(block: number, data: Buffer): Promise<void> {
    try {
      await this.#auth(block);
      await this.#io.writeBlock(block, data);
    } catch (e) {
      this.#sector = null;
      throw e;
    }
  }
}

export interface CardReadout {
  uidHex: string;
  /** null when the issuer blocks do not decode. */
  issuer: IssuerInfo | null;
  purse: PurseState | { error: string };
  /** A corrupt transit sector reads as empty: the rider then pays as if it were a first tap. */
  transit: TransitState;
  purseRecord: Buffer;
}

function attempt<T>(decode: () => T): T | { error: string } {
  try {
    return decode();
  } catch (e) {
    if (isAppError(e)) return { error: e.code };
    throw e;
  }
}

/** Issuer, transit, then purse last, so the purse writes need no new authentication. */
export async function readCard(session: CardSession, keys: CardKeys): Promise<CardReadout> {
  const b = LAYOUT_V1.blocks;
  const info = await session.read(b.issuerInfo);
  const extra = await session.read(b.issuerExtra);
  const t = [
    await session.read(b.transitLastTap),
    await session.read(b.transitCounters),
    await session.read(b.transitJourney),
  ] as const;
  const value = await session.read(b.purseValue);
  const backup = await session.read(b.purseBackup);
  const record = await session.read(b.purseRecord);
  const issuer = attempt(() => decodeIssuerInfo(info, extra));
  const transit = attempt(() => decodeTransitState(...t));
  return {
    uidHex: toHex(keys.uid),
    issuer: 'error' in issuer ? null : issuer,
    purse: attempt(() => decodePurse({ value, backup, record }, keys.uid, keys.purseMacKey)),
    transit: 'error' in transit ? EMPTY_TRANSIT_STATE : transit,
    purseRecord: record,
  };
}
