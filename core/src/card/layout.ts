import { AppError } from '../errors/index.js';
import { TRANSPORT_GPB, type SectorAccess } from './access-bits.js';

export type SectorRole = 'mad' | 'issuer' | 'purse' | 'transit' | 'history' | 'free';

export interface SectorSetup {
  readonly access: SectorAccess;
  readonly gpb: number;
}

export interface CardLayout {
  readonly version: number;
  readonly sectors: {
    readonly mad: number;
    readonly issuer: number;
    readonly purse: number;
    readonly transit: number;
    readonly history: readonly number[];
  };
  readonly blocks: {
    readonly issuerInfo: number;
    readonly issuerExtra: number;
    readonly cardholderRef: number;
    readonly purseValue: number;
    readonly purseBackup: number;
    readonly purseRecord: number;
    readonly transitLastTap: number;
    readonly transitCounters: number;
    readonly transitJourney: number;
    readonly history: readonly number[];
  };
  /** Provisional application ids for the MAD (not registered with NXP). */
  readonly aids: {
    readonly issuer: number;
    readonly purse: number;
    readonly transit: number;
    readonly history: number;
  };
  /** Trailer setup of every keyed sector; the other sectors keep transport keys and access. */
  readonly access: Readonly<Record<number, SectorSetup>>;
}

/** MAD1 general purpose byte: MAD available, multi-application card, MAD version 1. */
export const MAD_GPB = 0xc1;

// Data readable with A or B, writable with B only; trailer: key B writes keys and access bits,
// A or B read the access bits, key B is never readable (so it can authenticate).
const KEYED: SectorAccess = { data: [4, 4, 4], trailer: 3 };
// Value blocks: read A|B, write and increment B, decrement A|B; the record block as KEYED.
const PURSE: SectorAccess = { data: [6, 6, 4], trailer: 3 };

export const LAYOUT_V1: CardLayout = Object.freeze({
  version: 1,
  sectors: { mad: 0, issuer: 1, purse: 2, transit: 3, history: [4, 5] },
  blocks: {
    issuerInfo: 4,
    issuerExtra: 5,
    cardholderRef: 6,
    purseValue: 8,
    purseBackup: 9,
    purseRecord: 10,
    transitLastTap: 12,
    transitCounters: 13,
    transitJourney: 14,
    history: [16, 17, 18, 20, 21, 22],
  },
  aids: { issuer: 0x4301, purse: 0x4302, transit: 0x4303, history: 0x4304 },
  access: {
    0: { access: KEYED, gpb: MAD_GPB },
    1: { access: KEYED, gpb: TRANSPORT_GPB },
    2: { access: PURSE, gpb: TRANSPORT_GPB },
    3: { access: KEYED, gpb: TRANSPORT_GPB },
    4: { access: KEYED, gpb: TRANSPORT_GPB },
    5: { access: KEYED, gpb: TRANSPORT_GPB },
  },
});

export const SECTORS_1K = 16;

/** Sectors whose keys and access bits the issuer sets, in ascending order. */
export function keyedSectors(layout: CardLayout = LAYOUT_V1): number[] {
  return Object.keys(layout.access)
    .map(Number)
    .sort((a, b) => a - b);
}

export function sectorRole(layout: CardLayout, sector: number): SectorRole {
  const s = layout.sectors;
  if (sector === s.mad) return 'mad';
  if (sector === s.issuer) return 'issuer';
  if (sector === s.purse) return 'purse';
  if (sector === s.transit) return 'transit';
  if (s.history.includes(sector)) return 'history';
  return 'free';
}

export function sectorSetup(layout: CardLayout, sector: number): SectorSetup {
  const setup = layout.access[sector];
  if (setup === undefined) {
    throw new AppError('CARD_BLOCK_INVALID', {
      message: 'This sector is not keyed in the layout',
      details: { sector },
    });
  }
  return setup;
}

export const sectorOfBlock = (block: number): number => block >> 2;
export const trailerBlock = (sector: number): number => sector * 4 + 3;
