import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@citycard/core/errors';
import { ensureTestMasterKeys } from '../testing/card-keys.js';
import { startIssuanceTestApp, testPool } from '../testing/harness.js';
import {
  initMasterKeys,
  listKeyVersions,
  loadMasterKeySet,
  MASTER_KEY_SLOTS,
  rotateMasterKeys,
} from './master-keys.js';

/**
 * Each test runs in a transaction of its own over temporary copies of the key tables (pg_temp
 * comes first on the search path), rolled back at the end: the shared schema's keys, which every
 * other test uses, are never touched.
 */
let pool: pg.Pool;
const kek = { id: 'kek-a', key: randomBytes(32) };
const now = new Date('2026-11-27T10:00:00Z');

beforeAll(async () => {
  // Makes sure the schema is migrated and holds the shared test keys.
  const app = await startIssuanceTestApp();
  await ensureTestMasterKeys(app.deps);
  await app.close();
  pool = testPool();
});
afterAll(async () => {
  await pool.end();
});

async function inScratch(fn: (tx: pg.PoolClient) => Promise<void>): Promise<void> {
  const tx = await pool.connect();
  try {
    await tx.query('BEGIN');
    await tx.query(
      'CREATE TEMP TABLE card_key_versions (LIKE issuance.card_key_versions INCLUDING ALL) ON COMMIT DROP',
    );
    await tx.query(
      'CREATE TEMP TABLE card_master_keys (LIKE issuance.card_master_keys INCLUDING ALL) ON COMMIT DROP',
    );
    await fn(tx);
  } finally {
    await tx.query('ROLLBACK');
    tx.release();
  }
}

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'none';
}

describe('card master keys', () => {
  it('init makes version 1 once; rotate adds versions; list shows no key material', async () => {
    await inScratch(async (tx) => {
      expect(await codeOf(() => rotateMasterKeys(tx, kek, { now }))).toBe('KEYS_NOT_INITIALISED');
      expect(await initMasterKeys(tx, kek, { now, note: 'first' })).toEqual({ version: 1 });
      await tx.query('SAVEPOINT again');
      expect(await codeOf(() => initMasterKeys(tx, kek, { now }))).toBe('KEYS_EXIST');
      await tx.query('ROLLBACK TO SAVEPOINT again');
      expect(await rotateMasterKeys(tx, kek, { now })).toEqual({ version: 2 });
      const listed = await listKeyVersions(tx);
      expect(listed).toEqual([
        {
          version: 1,
          createdAt: now,
          kekId: 'kek-a',
          note: 'first',
          keyCount: MASTER_KEY_SLOTS.length,
        },
        {
          version: 2,
          createdAt: now,
          kekId: 'kek-a',
          note: null,
          keyCount: MASTER_KEY_SLOTS.length,
        },
      ]);
      expect(MASTER_KEY_SLOTS).toHaveLength(33);
    });
  });

  it('opens keys under the right KEK only; versions differ; the system id is kept', async () => {
    await inScratch(async (tx) => {
      await initMasterKeys(tx, kek, { now });
      await rotateMasterKeys(tx, kek, { now });
      const v1 = await loadMasterKeySet(tx, kek, 1);
      const v2 = await loadMasterKeySet(tx, [{ id: 'old', key: randomBytes(32) }, kek], 2);
      expect(v1.systemId).toEqual(v2.systemId);
      expect(v1.sectorMaster(3, 'B')).toHaveLength(16);
      expect(v1.sectorMaster(3, 'B').equals(v2.sectorMaster(3, 'B'))).toBe(false);
      expect(v1.sectorMaster(3, 'A').equals(v1.sectorMaster(3, 'B'))).toBe(false);
      const wrong = { id: 'kek-a', key: randomBytes(32) };
      expect(await codeOf(() => loadMasterKeySet(tx, wrong, 1))).toBe('ENVELOPE_INVALID');
      expect(await codeOf(() => loadMasterKeySet(tx, kek, 3))).toBe('KEY_VERSION_UNKNOWN');
    });
  });

  it('binds each sealed key to its version and slot', async () => {
    await inScratch(async (tx) => {
      await initMasterKeys(tx, kek, { now });
      // Swap two sealed keys: each still opens under the KEK, but not in the other's place.
      await tx.query(`UPDATE card_master_keys SET sealed = (SELECT sealed FROM card_master_keys
        WHERE slot = 'sector:1:A') WHERE slot = 'sector:1:B'`);
      expect(await codeOf(() => loadMasterKeySet(tx, kek, 1))).toBe('ENVELOPE_INVALID');
    });
  });

  it('keeps stored key versions append-only', async () => {
    await expect(pool.query('DELETE FROM card_master_keys')).rejects.toThrow(/append-only/);
    await expect(pool.query('UPDATE card_key_versions SET note = $1', ['x'])).rejects.toThrow(
      /append-only/,
    );
  });
});
