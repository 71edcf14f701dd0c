import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';
import { getParty, listParties, saveParty } from './index.js';

let t: ClearingTestDb;
const author = { by: 'admin-1', now: new Date('2026-01-01T00:00:00Z') };

beforeAll(async () => {
  t = await createClearingTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe('parties in PostgreSQL', () => {
  it('keeps every version of settlement data and serves the latest', async () => {
    await saveParty(t.pool, { id: 'issuer', kind: 'issuer', name: 'City Card Co.' }, author);
    const v1 = await saveParty(
      t.pool,
      { id: 'bus', kind: 'operator', name: 'City Bus', bankAccountNumber: '6222-0001' },
      author,
    );
    const v2 = await saveParty(
      t.pool,
      { id: 'bus', kind: 'operator', name: 'City Bus Ltd', bankAccountNumber: '6222-0002' },
      author,
    );
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(await getParty(t.pool, 'bus')).toMatchObject({
      name: 'City Bus Ltd',
      bankAccountNumber: '6222-0002',
    });
    expect((await listParties(t.pool, 'operator')).map((p) => p.id)).toEqual(['bus']);
    await expect(t.pool.query(`UPDATE party_versions SET name = 'x'`)).rejects.toThrow(
      /append-only/,
    );
  });

  it('answers PARTY_NOT_FOUND and refuses malformed data', async () => {
    await expect(getParty(t.pool, 'nobody')).rejects.toMatchObject({ code: 'PARTY_NOT_FOUND' });
    await expect(
      saveParty(t.pool, { id: 'bad id', kind: 'operator', name: 'x' }, author),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
