import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClearingApp, type BuiltClearing } from '../app.js';
import { addStaffSession, type TestStaff } from '../staff/test-sessions.js';
import { createClearingTestDb, type ClearingTestDb } from '../testing/index.js';

let t: ClearingTestDb;
let built: BuiltClearing;
let admin: TestStaff;
let finance: TestStaff;
const now = new Date('2026-11-28T01:00:00Z');

beforeAll(async () => {
  t = await createClearingTestDb();
  built = await buildClearingApp({ db: t.pool, logLevel: 'silent', clock: () => now });
  admin = await addStaffSession(t.pool, ['admin'], 'Party_Admin');
  finance = await addStaffSession(t.pool, ['finance']);
});
afterAll(async () => {
  await built?.app.close();
  await t?.close();
});

const put = (id: string, payload: object, who = admin) =>
  built.app.inject({ method: 'PUT', url: `/v1/parties/${id}`, headers: who.headers, payload });
const get = (url: string, who: TestStaff) =>
  built.app.inject({ method: 'GET', url, headers: who.headers });

async function counts(): Promise<{ versions: number; audit: number }> {
  const { rows } = await t.pool.query<{ versions: number; audit: number }>(
    `SELECT (SELECT count(*) FROM clearing.party_versions)::int AS versions,
            (SELECT count(*) FROM clearing.audit_log)::int AS audit`,
  );
  return rows[0] ?? { versions: -1, audit: -1 };
}

const metro = {
  kind: 'operator',
  name: 'City Metro',
  bankName: 'City Commercial Bank',
  bankAccountName: 'City Metro Ltd',
  bankAccountNumber: '6222-1000-0001',
  contactName: 'Settlement desk',
};

describe('parties over HTTP', () => {
  it('creates, versions on change, keeps a PUT of the same data idempotent, and audits', async () => {
    const created = await put('metro', metro);
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({
      id: 'metro',
      kind: 'operator',
      version: 1,
      bankAccountNumber: '6222-1000-0001',
      contactEmail: null,
      changedBy: 'party_admin',
      changedAt: now.toISOString(),
    });
    expect((await put('metro', metro)).json()).toMatchObject({ version: 1 });

    const moved = await put('metro', { ...metro, bankAccountNumber: '6222-1000-0009' });
    expect(moved.json()).toMatchObject({ version: 2, bankAccountNumber: '6222-1000-0009' });
    expect((await get('/v1/parties/metro', finance)).json()).toMatchObject({
      version: 2,
      bankAccountNumber: '6222-1000-0009',
    });

    const { rows } = await t.pool.query<{ action: string; actor: string; details: object }>(
      `SELECT action, actor, details FROM clearing.audit_log WHERE action LIKE 'party.%' ORDER BY seq`,
    );
    expect(rows).toEqual([
      {
        action: 'party.create',
        actor: 'party_admin',
        details: expect.objectContaining({ partyId: 'metro', version: 1 }) as object,
      },
      {
        action: 'party.update',
        actor: 'party_admin',
        details: { partyId: 'metro', kind: 'operator', version: 2, changed: ['bankAccountNumber'] },
      },
    ]);
    // The trail names what changed, never the account itself.
    expect(JSON.stringify(rows)).not.toContain('6222-1000');
  });

  it('lists parties by kind and answers PARTY_NOT_FOUND', async () => {
    const issuer = await put('issuer', { kind: 'issuer', name: 'City Card Company' });
    expect(issuer.statusCode).toBe(200);
    const operators = await get('/v1/parties?kind=operator', finance);
    expect(operators.json<{ parties: { id: string }[] }>().parties.map((p) => p.id)).toEqual([
      'metro',
    ]);
    for (const url of ['/v1/parties', '/v1/parties?kind=']) {
      const all = await get(url, finance);
      expect(all.json<{ parties: { id: string }[] }>().parties.map((p) => p.id)).toEqual([
        'issuer',
        'metro',
      ]);
    }
    const missing = await get('/v1/parties/nobody', finance);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'PARTY_NOT_FOUND' });
    expect((await get('/v1/parties?kind=bank', finance)).statusCode).toBe(400);
  });

  it('refuses bad input with a code and a field, writing nothing', async () => {
    const before = await counts();
    const cases: [string, object, string][] = [
      ['metro', { ...metro, bankAccountNumber: '12' }, 'body.bankAccountNumber'],
      ['metro', { ...metro, name: '' }, 'body.name'],
      ['metro', { ...metro, id: 'metro' }, 'body'],
      ['metro', { ...metro, kind: 'issuer' }, 'body.kind'],
      ['other', { ...metro, kind: 'issuer' }, 'body.kind'],
      ['issuer', { ...metro, kind: 'operator' }, 'body.kind'],
      ['bad id', metro, 'params.partyId'],
    ];
    for (const [id, body, field] of cases) {
      const res = await put(encodeURIComponent(id), body);
      expect(res.statusCode, `${id} ${field}`).toBe(400);
      const err = res.json<{
        code: string;
        message: string;
        details: { issues: { path: string }[] };
      }>();
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.message.length).toBeGreaterThan(0);
      expect(err.details.issues.map((i) => i.path).join(' '), field).toContain(field);
      expect(JSON.stringify(err)).not.toContain('6222-1000');
    }
    expect(await counts()).toEqual(before);
  });

  it('lets only an admin write', async () => {
    const before = await counts();
    const res = await put('metro', { ...metro, name: 'Renamed' }, finance);
    expect(res.statusCode).toBe(403);
    expect(await counts()).toEqual(before);
  });
});
