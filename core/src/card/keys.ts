import { createHmac } from 'node:crypto';
import { diversifyAes128, diversifyClassicKey } from '../crypto/index.js';
import { AppError } from '../errors/index.js';
import { TRANSPORT_KEY } from './access-bits.js';
import { keyedSectors, LAYOUT_V1, SECTORS_1K, type CardLayout } from './layout.js';
import type { KeyType } from './types.js';

/** MAD key A (AN10787): public, so any reader can find the applications on the card. */
export const MAD_KEY_A: Buffer = Buffer.from('A0A1A2A3A4A5', 'hex');

export interface MasterKeySet {
  /** 1–255; bound into every diversified key and written on the card as the key version. */
  readonly version: number;
  /** 4 bytes, scheme-wide. */
  readonly systemId: Buffer;
  /** The 16-byte AES master key of one key slot. */
  sectorMaster(sector: number, keyType: KeyType): Buffer;
  readonly purseMacMaster: Buffer;
}

export interface SectorKeys {
  readonly keyA: Buffer;
  readonly keyB: Buffer;
}

/** The diversified keys of one card. The buffers are shared: read them, never change them. */
export interface CardKeys {
  readonly uid: Buffer;
  readonly keyVersion: number;
  /** Transport keys for a sector the layout leaves free. */
  sector(sector: number): SectorKeys;
  readonly purseMacKey: Buffer;
  /** Zeroes every key buffer; call when the card is done with. */
  wipe(): void;
}

function checkMasters(masters: MasterKeySet): void {
  if (!Number.isInteger(masters.version) || masters.version < 1 || masters.version > 255) {
    throw new AppError('KEY_INVALID', { message: 'A key version is 1 to 255' });
  }
  if (masters.systemId.length !== 4) {
    throw new AppError('KEY_INVALID', { message: 'A system id is 4 bytes' });
  }
}

/**
 * The keys of one card: AN10922 diversification of each sector's master with
 * UID ‖ sector ‖ key type ‖ system id ‖ key version; sector 0 key A is the public MAD key.
 */
export function deriveCardKeys(
  masters: MasterKeySet,
  uid: Buffer,
  layout: CardLayout = LAYOUT_V1,
): CardKeys {
  checkMasters(masters);
  const systemId = Buffer.concat([masters.systemId, Buffer.from([masters.version])]);
  const derive = (sector: number, keyType: KeyType): Buffer =>
    diversifyClassicKey({
      masterKey: masters.sectorMaster(sector, keyType),
      uid,
      sector,
      keyType,
      systemId,
    });
  const keyed = new Map<number, SectorKeys>();
  for (const sector of keyedSectors(layout)) {
    const keyA = sector === layout.sectors.mad ? Buffer.from(MAD_KEY_A) : derive(sector, 'A');
    keyed.set(sector, { keyA, keyB: derive(sector, 'B') });
  }
  const purseMacKey = diversifyAes128(
    masters.purseMacMaster,
    Buffer.concat([Buffer.from('PM', 'ascii'), uid, systemId]),
  );
  const transport: SectorKeys = {
    keyA: Buffer.from(TRANSPORT_KEY),
    keyB: Buffer.from(TRANSPORT_KEY),
  };
  return {
    uid: Buffer.from(uid),
    keyVersion: masters.version,
    purseMacKey,
    sector(sector: number): SectorKeys {
      if (!Number.isInteger(sector) || sector < 0 || sector >= SECTORS_1K) {
        throw new AppError('CARD_BLOCK_INVALID', { details: { sector } });
      }
      return keyed.get(sector) ?? transport;
    },
    wipe(): void {
      for (const { keyA, keyB } of keyed.values()) {
        keyA.fill(0);
        keyB.fill(0);
      }
      purseMacKey.fill(0);
    },
  };
}

/**
 * A deterministic master key set from a seed, for tests and the demo ONLY: anyone holding the
 * seed holds every card's keys.
 */
export function testMasterKeySet(seed: Buffer, version = 1): MasterKeySet {
  const derive = (label: string): Buffer =>
    createHmac('sha256', seed).update(`citycard-test/${version}/${label}`).digest().subarray(0, 16);
  const masters = new Map<string, Buffer>();
  return {
    version,
    systemId: derive('system').subarray(0, 4),
    purseMacMaster: derive('purse-mac'),
    sectorMaster(sector: number, keyType: KeyType): Buffer {
      const label = `sector/${sector}/${keyType}`;
      let key = masters.get(label);
      if (key === undefined) {
        key = derive(label);
        masters.set(label, key);
      }
      return key;
    },
  };
}

/** @deprecated The same as testMasterKeySet; the name says less clearly that it is for tests. */
export const masterKeySetFromSeed = testMasterKeySet;
