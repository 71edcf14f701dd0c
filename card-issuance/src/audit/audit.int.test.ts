import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@citycard/core/db';
import type { StaffPrincipal } from '../auth/roles.js';
import { createStaff } from '../auth/staff.js';
import { isolatedAuditSchema, type IsolatedSchema } from '../testing/isolated-schema.js';
import { recordAudit, type AuditEntry } from './audit.js';
import { verifyAuditChain } from './verify.js';

let iso: IsolatedSchema;
let db: pg.Pool;
let clerk: StaffPrincipal;

beforeAll(async () => {
  iso = await isolatedAuditSchema();
  db = iso.db;
  const { id } = await withTransaction(db, (tx) =>
    createStaff(tx, {
      username: `clerk_${randomUUID().slice(0, 8)}`,
      displayName: 'Audit clerk',
      password: 'a long enough password',
      roles: ['clerk'],
    }),
  );
  clerk = {
    id,
    username: 'clerk',
    roles: ['clerk'],
    branchId: null,
    counterId: randomUUID(),
    sessionId: randomUUID(),
  };
});
afterAll(async () => {
  await iso?.drop();
});

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: { system: 'test' },
  action: 'thing.change',
  targetType: 'thing',
  targetId: randomUUID(),
  requestId: `req-${randomUUID()}`,
  ...over,
});

async function record(n: number, over: Partial<AuditEntry> = {}): Promise<void> {
  for (let i = 0; i < n; i++) await withTransaction(db, (tx) => recordAudit(tx, entry(over)));
}

async function headSeq(): Promise<number> {
  const { rows } = await db.query<{ seq: string }>('SELECT seq FROM audit_chain_head');
  return Number(rows[0]?.seq);
}

/** What an owner of the database could do by hand: switch the guard off for one statement. */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  await withTransaction(db, async (tx) => {
    await tx.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await (params.length === 0 ? tx.query(sql) : tx.query(sql, params));
    await tx.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  });
}

// The tests below build on one another's rows, in order, in this schema of their own.
describe('recording audit entries', () => {
  it('chains entries and keeps actor, counter and hashes, never the snapshots themselves', async () => {
    await withTransaction(db, (tx) =>
      recordAudit(
        tx,
        entry({ actor: clerk, before: { name: 'Li Lei' }, after: { name: 'Han Meimei' } }),
      ),
    );
    await record(3);
    const { rows } = await db.query<Record<string, unknown>>(
      'SELECT * FROM audit_log ORDER BY seq',
    );
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({
      seq: '1',
      actor_staff_id: clerk.id,
      actor_roles: ['clerk'],
      actor_system: null,
      counter_id: clerk.counterId,
      prev_hash: '0'.repeat(64),
    });
    expect(rows[1]).toMatchObject({ actor_system: 'test', actor_staff_id: null, actor_roles: [] });
    expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    expect(JSON.stringify(rows)).not.toMatch(/Li Lei|Han Meimei/);
    expect(rows[0]?.before_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[1]?.before_hash).toBeNull();
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 4 });
  });

  it('keeps one gap-free chain under concurrent writers and rolled-back transactions', async () => {
    const before = await headSeq();
    const writers = Array.from({ length: 24 }, (_, i) =>
      withTransaction(db, async (tx) => {
        await recordAudit(tx, entry());
        if (i % 4 === 0) throw new Error('rolled back on purpose');
      }).catch(() => 'rolled back'),
    );
    const results = await Promise.all(writers);
    expect(results.filter((r) => r === 'rolled back')).toHaveLength(6);
    expect(await headSeq()).toBe(before + 18);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: before + 18 });
    expect(await verifyAuditChain(db, { fromSeq: before + 1 })).toEqual({ ok: true, checked: 18 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the log and any move of the head', async () => {
    await expect(db.query("UPDATE audit_log SET action = 'x' WHERE seq = 1")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE audit_log CASCADE')).rejects.toThrow(/append-only/);
    await expect(db.query('UPDATE audit_chain_head SET seq = seq + 5')).rejects.toThrow(/advance/);
    await expect(db.query('DELETE FROM audit_chain_head')).rejects.toThrow(/refused/);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});

describe('verifying a tampered chain', () => {
  it('finds a changed row at its seq', async () => {
    await tamper("UPDATE audit_log SET target_id = 'someone-else' WHERE seq = 3", []);
    expect(await verifyAuditChain(db)).toEqual({
      ok: false,
      checked: 2,
      firstBrokenSeq: '3',
      reason: 'hash_mismatch',
    });
    // From past the damage the rest still links up.
    expect((await verifyAuditChain(db, { fromSeq: 4 })).ok).toBe(true);
  });

  it('finds a removed row at the seq that is missing', async () => {
    await tamper('DELETE FROM audit_log WHERE seq = 6', []);
    expect(await verifyAuditChain(db, { fromSeq: 4 })).toEqual({
      ok: false,
      checked: 2,
      firstBrokenSeq: '6',
      reason: 'seq_gap',
    });
  });

  it('finds rows removed from the end through the head', async () => {
    const last = await headSeq();
    await tamper('DELETE FROM audit_log WHERE seq = $1', [last]);
    expect(await verifyAuditChain(db, { fromSeq: 8 })).toMatchObject({
      ok: false,
      firstBrokenSeq: String(last),
      reason: 'seq_gap',
    });
  });

  it('finds two rows that swapped places', async () => {
    // seq is the primary key, so the swap goes through a free number.
    await tamper(
      `UPDATE audit_log SET seq = 1000000 WHERE seq = 10;
       UPDATE audit_log SET seq = 10 WHERE seq = 11;
       UPDATE audit_log SET seq = 11 WHERE seq = 1000000`,
      [],
    );
    expect(await verifyAuditChain(db, { fromSeq: 8 })).toMatchObject({
      ok: false,
      checked: 2,
      firstBrokenSeq: '10',
    });
  });
});
