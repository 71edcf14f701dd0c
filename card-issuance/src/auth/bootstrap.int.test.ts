import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@citycard/core/db';
import { verifyAuditChain } from '../audit/verify.js';
import type { IssuanceDeps } from '../deps.js';
import { isolatedAuditSchema, type IsolatedSchema } from '../testing/isolated-schema.js';
import type { StaffPrincipal } from './roles.js';
import { adminUpdateStaff, setStaffEnabled } from './staff-admin.js';
import { bootstrapAdmin } from './staff.js';

// A schema of its own: "no admin exists yet" cannot hold in the schema other tests share.
let iso: IsolatedSchema;
let db: pg.Pool;

beforeAll(async () => {
  iso = await isolatedAuditSchema();
  db = iso.db;
});
afterAll(async () => {
  await iso?.drop();
});

const bootstrap = (username: string) =>
  withTransaction(db, (tx) => bootstrapAdmin(tx, { username, password: 'first admin password' }));

describe('the first admin', () => {
  it('is created once, audited, and never again while an admin is enabled', async () => {
    const first = await bootstrap('root');
    expect(first.created).toBe(true);
    expect(await bootstrap('root-two')).toEqual({ created: false });
    const { rows } = await db.query('SELECT username, roles FROM staff');
    expect(rows).toEqual([{ username: 'root', roles: ['admin'] }]);
    const audit = await db.query('SELECT action, actor_system FROM audit_log');
    expect(audit.rows).toEqual([{ action: 'staff.bootstrap_admin', actor_system: 'bootstrap' }]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('cannot be demoted or disabled while it is the only one', async () => {
    const { rows } = await db.query<{ id: string }>("SELECT id FROM staff WHERE username = 'root'");
    const id = rows[0]?.id ?? '';
    const actor: StaffPrincipal = {
      id,
      username: 'root',
      roles: ['admin'],
      branchId: null,
      counterId: null,
      sessionId: id,
    };
    const c = {
      deps: { db, clock: () => new Date() } as unknown as IssuanceDeps,
      actor,
      requestId: 'r',
    };
    await expect(adminUpdateStaff(c, id, { roles: ['auditor'] })).rejects.toMatchObject({
      code: 'LAST_ADMIN',
    });
    await expect(setStaffEnabled(c, id, false)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    const still = await db.query('SELECT roles, disabled_at FROM staff WHERE id = $1', [id]);
    expect(still.rows[0]).toEqual({ roles: ['admin'], disabled_at: null });
  });
});
