import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '../auth/roles.js';
import { randomUsername, startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';

let t: IssuanceTestApp;
const as = {} as Record<Role, Record<string, string>>;
let adminId: string;

beforeAll(async () => {
  t = await startIssuanceTestApp();
  for (const role of roles) {
    const signed = await t.signIn(role);
    as[role] = signed.headers;
    if (role === 'admin') adminId = signed.staffId;
  }
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, role?: Role) =>
  t.app.inject({ method: 'GET', url, headers: role === undefined ? {} : as[role] });

interface Entry {
  seq: string;
  action: string;
  targetId: string;
  actor: { staffId: string | null; roles: string[] };
}
interface Page {
  entries: Entry[];
  nextBefore: string | null;
}

/** A staff account made and renamed `renames` times: 1 + renames audit rows about it. */
async function auditedTarget(renames: number): Promise<string> {
  const created = await t.app.inject({
    method: 'POST',
    url: '/staff',
    headers: as.admin,
    payload: {
      username: randomUsername('audited'),
      displayName: 'Audited',
      password: 'long enough password',
      roles: ['clerk'],
    },
  });
  const { id } = created.json<{ id: string }>();
  for (let i = 0; i < renames; i++) {
    await t.app.inject({
      method: 'PATCH',
      url: `/staff/${id}`,
      headers: as.admin,
      payload: { displayName: `Renamed ${i}` },
    });
  }
  return id;
}

describe('who may read and verify the audit log', () => {
  it('reading: supervisors, auditors and admins', async () => {
    for (const role of roles) {
      const res = await get('/audit?limit=1', role);
      expect(res.statusCode, role).toBe(
        ['supervisor', 'auditor', 'admin'].includes(role) ? 200 : 403,
      );
    }
    expect((await get('/audit')).statusCode).toBe(401);
  });

  it('verifying: auditors and admins, and the shared chain verifies', async () => {
    for (const role of roles) {
      const res = await get('/audit/verify', role);
      expect(res.statusCode, role).toBe(
        ['supervisor', 'auditor', 'admin'].includes(role) ? 200 : 403,
      );
      if (res.statusCode === 200) expect(res.json()).toMatchObject({ ok: true });
    }
  });
});

describe('reading the audit log', () => {
  it('filters by target, actor, action and time', async () => {
    const id = await auditedTarget(1);
    const byTarget = (await get(`/audit?targetType=staff&targetId=${id}`, 'auditor')).json<Page>();
    expect(byTarget.entries.map((e) => e.action)).toEqual(['staff.update', 'staff.create']);
    expect(byTarget.entries[0]?.actor).toEqual({
      staffId: adminId,
      roles: ['admin'],
      system: null,
    });
    const byAction = await get(`/audit?targetId=${id}&action=staff.create`, 'auditor');
    expect(byAction.json<Page>().entries).toHaveLength(1);
    const byActor = await get(`/audit?actorStaffId=${adminId}&targetId=${id}`, 'supervisor');
    expect(byActor.json<Page>().entries).toHaveLength(2);
    const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
    const later = await get(`/audit?targetId=${id}&from=${future}`, 'admin');
    expect(later.json<Page>().entries).toHaveLength(0);
    const past = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    const window = await get(`/audit?targetId=${id}&from=${past}&to=${future}`, 'admin');
    expect(window.json<Page>().entries).toHaveLength(2);
  });

  it('pages newest first with nextBefore', async () => {
    const id = await auditedTarget(4);
    const seen: string[] = [];
    let url = `/audit?targetId=${id}&limit=2`;
    for (let page = 0; page < 5; page++) {
      const body = (await get(url, 'auditor')).json<Page>();
      seen.push(...body.entries.map((e) => e.seq));
      if (body.nextBefore === null) break;
      url = `/audit?targetId=${id}&limit=2&before=${body.nextBefore}`;
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
  });

  it('turns bad queries away with 400', async () => {
    for (const query of ['limit=0', 'limit=500', 'actorStaffId=nope', 'from=yesterday', 'x=1']) {
      const res = await get(`/audit?${query}`, 'auditor');
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect((await get('/audit/verify?fromSeq=0', 'auditor')).statusCode).toBe(400);
  });
});
