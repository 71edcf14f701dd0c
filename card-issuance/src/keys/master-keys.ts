import { randomBytes } from 'node:crypto';
import type { KeyType, MasterKeySet } from '@citycard/core/card';
import { open, seal, type KeyEncryptionKey } from '@citycard/core/crypto';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';

const SECTORS = 16;
const KEY_TYPES: readonly KeyType[] = ['A', 'B'];
const MAX_VERSION = 255;
const MASTER_KEY_LENGTH = 16;

type Slot = `sector:${number}:${KeyType}` | 'purse_mac';

function sectorSlot(sector: number, keyType: KeyType): Slot {
  return `sector:${sector}:${keyType}`;
}

/** Every master key of one version: key A and key B of each sector, and the purse MAC master. */
export const MASTER_KEY_SLOTS: readonly Slot[] = [
  ...Array.from({ length: SECTORS }, (_, s) => KEY_TYPES.map((t) => sectorSlot(s, t))).flat(),
  'purse_mac',
];

// Binds each envelope to its version and slot: a sealed key copied into another row does not open.
function aad(version: number, slot: Slot): string {
  return `citycard/card-master-key/v${version}/${slot}`;
}

export interface KeyVersionInfo {
  readonly version: number;
  readonly createdAt: Date;
  readonly kekId: string;
  readonly keyCount: number;
  readonly note: string | null;
}

export async function listKeyVersions(tx: Queryable): Promise<KeyVersionInfo[]> {
  const { rows } = await tx.query<KeyVersionInfo>(
    `SELECT v.version, v.created_at AS "createdAt", v.kek_id AS "kekId", v.note,
       (SELECT count(*)::int FROM card_master_keys k WHERE k.version = v.version) AS "keyCount"
     FROM card_key_versions v ORDER BY v.version`,
  );
  return rows;
}

export async function latestKeyVersion(tx: Queryable): Promise<number | undefined> {
  const { rows } = await tx.query<{ v: number | null }>(
    'SELECT max(version) AS v FROM card_key_versions',
  );
  return rows[0]?.v ?? undefined;
}

async function insertVersion(
  tx: Queryable,
  kek: KeyEncryptionKey,
  version: number,
  systemId: string,
  opts: { now: Date; note?: string | undefined },
): Promise<void> {
  await tx.query(
    `INSERT INTO card_key_versions (version, system_id, kek_id, created_at, note)
     VALUES ($1, $2, $3, $4, $5)`,
    [version, systemId, kek.id, opts.now, opts.note ?? null],
  );
  for (const slot of MASTER_KEY_SLOTS) {
    const key = randomBytes(MASTER_KEY_LENGTH);
    try {
      await tx.query('INSERT INTO card_master_keys (version, slot, sealed) VALUES ($1, $2, $3)', [
        version,
        slot,
        seal(key, kek, aad(version, slot)),
      ]);
    } finally {
      key.fill(0);
    }
  }
}

// Held until the transaction ends, so two inits or rotations cannot pick the same version.
async function lockVersions(tx: Queryable): Promise<void> {
  await tx.query('LOCK TABLE card_key_versions IN SHARE ROW EXCLUSIVE MODE');
}

/** Generates key version 1 with a fresh system id; refused once any version exists. */
export async function initMasterKeys(
  tx: Queryable,
  kek: KeyEncryptionKey,
  opts: { now: Date; note?: string },
): Promise<{ version: number }> {
  await lockVersions(tx);
  if ((await latestKeyVersion(tx)) !== undefined) throw new AppError('KEYS_EXIST');
  await insertVersion(tx, kek, 1, randomBytes(4).toString('hex'), opts);
  return { version: 1 };
}

/** Adds version N+1 (same system id); cards keep working on the version they carry. */
export async function rotateMasterKeys(
  tx: Queryable,
  kek: KeyEncryptionKey,
  opts: { now: Date; note?: string },
): Promise<{ version: number }> {
  await lockVersions(tx);
  const latest = await latestKeyVersion(tx);
  if (latest === undefined) throw new AppError('KEYS_NOT_INITIALISED');
  if (latest >= MAX_VERSION) throw new AppError('KEY_VERSIONS_EXHAUSTED');
  const { rows } = await tx.query<{ systemId: string }>(
    'SELECT system_id AS "systemId" FROM card_key_versions WHERE version = $1',
    [latest],
  );
  await insertVersion(tx, kek, latest + 1, rows[0]?.systemId ?? '', opts);
  return { version: latest + 1 };
}

/** Opens one version's master keys into memory. They stay in this process and nowhere else. */
export async function loadMasterKeySet(
  tx: Queryable,
  keks: KeyEncryptionKey | readonly KeyEncryptionKey[],
  version: number,
): Promise<MasterKeySet> {
  const { rows: versions } = await tx.query<{ systemId: string }>(
    'SELECT system_id AS "systemId" FROM card_key_versions WHERE version = $1',
    [version],
  );
  const info = versions[0];
  if (info === undefined) throw new AppError('KEY_VERSION_UNKNOWN', { details: { version } });
  const { rows } = await tx.query<{ slot: Slot; sealed: string }>(
    'SELECT slot, sealed FROM card_master_keys WHERE version = $1',
    [version],
  );
  const keys = new Map<Slot, Buffer>(
    rows.map((r) => [r.slot, open(r.sealed, keks, aad(version, r.slot))]),
  );
  const get = (slot: Slot): Buffer => {
    const key = keys.get(slot);
    if (key === undefined) {
      throw new AppError('KEY_VERSION_UNKNOWN', {
        message: 'A master key is missing',
        details: { version },
      });
    }
    return key;
  };
  return {
    version,
    systemId: Buffer.from(info.systemId, 'hex'),
    sectorMaster: (sector, keyType) => get(sectorSlot(sector, keyType)),
    purseMacMaster: get('purse_mac'),
  };
}
