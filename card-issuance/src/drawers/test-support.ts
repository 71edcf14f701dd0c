import { randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import type { Role, StaffPrincipal } from '../auth/roles.js';
import type { IssuanceTestApp, SignedIn } from '../testing/harness.js';

export type Headers = Record<string, string>;

export const randomCode = (prefix: string): string =>
  `${prefix}${randomBytes(4).toString('hex').toUpperCase()}`;

export interface Place {
  branchId: string;
  counterIds: string[];
}

/** A fresh branch with `counters` counters, made through the admin routes. */
export async function makeBranch(t: IssuanceTestApp, admin: Headers, counters = 2): Promise<Place> {
  const branch = await t.app.inject({
    method: 'POST',
    url: '/branches',
    headers: admin,
    payload: { code: randomCode('B'), name: 'Test branch', address: '1 People Square' },
  });
  if (branch.statusCode !== 201) throw new Error(`branch: ${branch.statusCode} ${branch.body}`);
  const branchId = branch.json<{ id: string }>().id;
  const counterIds: string[] = [];
  for (let i = 0; i < counters; i++) {
    const res = await t.app.inject({
      method: 'POST',
      url: `/branches/${branchId}/counters`,
      headers: admin,
      payload: { code: randomCode('C'), name: `Counter ${i + 1}` },
    });
    if (res.statusCode !== 201) throw new Error(`counter: ${res.statusCode} ${res.body}`);
    counterIds.push(res.json<{ id: string }>().id);
  }
  return { branchId, counterIds };
}

/** The principal a signed-in member of staff acts as, for calling the data layer directly. */
export function principalOf(
  who: SignedIn,
  role: Role,
  branchId: string | null = null,
): StaffPrincipal {
  return {
    id: who.staffId,
    username: who.username,
    roles: [role],
    branchId,
    counterId: null,
    sessionId: randomUUID(),
  };
}

export async function countDrawersOf(db: Queryable, staffId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM issuance.drawers WHERE staff_id = $1',
    [staffId],
  );
  return rows[0]?.n ?? 0;
}

export async function countMovements(db: Queryable, drawerId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM issuance.cash_movements WHERE drawer_id = $1',
    [drawerId],
  );
  return rows[0]?.n ?? 0;
}

/** The audit actions recorded against a target, oldest first. */
export async function auditActions(db: Queryable, targetId: string): Promise<string[]> {
  const { rows } = await db.query<{ action: string }>(
    'SELECT action FROM issuance.audit_log WHERE target_id = $1 ORDER BY seq',
    [targetId],
  );
  return rows.map((r) => r.action);
}

export interface DrawerJson {
  id: string;
  staffId: string;
  counterId: string;
  branchId: string;
  state: 'open' | 'closed';
  openingFloat: string;
  expectedCash: string;
  countedCash: string | null;
  difference: string | null;
  result: 'balanced' | 'long' | 'short' | null;
  movementCount: number;
  closedBy: string | null;
  note: string | null;
  corrected: {
    corrections: string;
    expectedCash: string;
    difference: string;
    result: string;
  } | null;
  movements?: {
    id: string;
    seq: number;
    kind: string;
    amount: string;
    reference: { type: string; id: string };
    afterClose: boolean;
    note: string | null;
  }[];
}
