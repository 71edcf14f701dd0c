import { randomUUID } from 'node:crypto';
import { withTransaction } from '@citycard/core/db';
import { parseAmount } from '@citycard/core/money';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffPrincipal } from '../auth/roles.js';
import { startIssuanceTestApp, type IssuanceTestApp, type SignedIn } from '../testing/harness.js';
import { recordCashMovement, requireOpenDrawer, type CashMovementInput } from './drawer.js';
import {
  auditActions,
  countDrawersOf,
  countMovements,
  makeBranch,
  principalOf,
  type DrawerJson,
  type Headers,
  type Place,
} from './test-support.js';

let t: IssuanceTestApp;
let admin: Headers;
let auditor: Headers;

beforeAll(async () => {
  t = await startIssuanceTestApp();
  admin = (await t.signIn('admin')).headers;
  auditor = (await t.signIn('auditor')).headers;
});
afterAll(async () => {
  await t?.close();
});

const inject = (method: 'GET' | 'POST', url: string, headers: Headers, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

interface Clerk {
  who: SignedIn;
  principal: StaffPrincipal;
  place: Place;
}

async function clerkAt(place?: Place): Promise<Clerk> {
  const at = place ?? (await makeBranch(t, admin));
  const who = await t.signIn('clerk', { branchId: at.branchId });
  return { who, principal: principalOf(who, 'clerk', at.branchId), place: at };
}

async function open(clerk: Clerk, openingFloat: unknown, counter = 0) {
  return inject('POST', '/drawers/open', clerk.who.headers, {
    counterId: clerk.place.counterIds[counter],
    openingFloat,
  });
}

/** What a card route does when cash changes hands: its drawer, then the movement. */
function move(clerk: Clerk, kind: CashMovementInput['kind'], amount: string) {
  return withTransaction(t.deps.db, async (tx) => {
    const drawer = await requireOpenDrawer(tx, clerk.principal);
    return recordCashMovement(tx, {
      drawerId: drawer.id,
      kind,
      amount: parseAmount(amount, { allowNegative: true }),
      reference: { type: 'card', id: randomUUID() },
      staff: clerk.principal,
      requestId: `test-${randomUUID()}`,
    });
  });
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: { code?: string }) => err.code,
  );

describe('a clerk’s drawer over a shift', () => {
  it('opens with a float, records movements and closes long or short to the fen', async () => {
    const clerk = await clerkAt();
    const opened = await open(clerk, '500.00');
    expect(opened.statusCode, opened.body).toBe(201);
    const drawer = opened.json<DrawerJson>();
    expect(drawer).toMatchObject({ state: 'open', openingFloat: '500.00', expectedCash: '500.00' });

    await move(clerk, 'deposit_taken', '20.00');
    await move(clerk, 'top_up_cash', '100.01');
    await move(clerk, 'balance_refunded', '-15.50');
    const drop = await inject('POST', '/drawers/current/float', clerk.who.headers, {
      amount: '-50.00',
      note: 'Drop to the safe',
    });
    expect(drop.statusCode, drop.body).toBe(201);

    const current = await inject('GET', '/drawers/current', clerk.who.headers);
    expect(current.json<DrawerJson>()).toMatchObject({ expectedCash: '554.51', movementCount: 4 });
    expect(current.json<DrawerJson>().movements?.map((m) => [m.seq, m.kind, m.amount])).toEqual([
      [1, 'deposit_taken', '20.00'],
      [2, 'top_up_cash', '100.01'],
      [3, 'balance_refunded', '-15.50'],
      [4, 'float', '-50.00'],
    ]);

    const closed = await inject('POST', '/drawers/current/close', clerk.who.headers, {
      countedCash: '554.50',
      note: 'One fen missing',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json<DrawerJson>()).toMatchObject({
      state: 'closed',
      expectedCash: '554.51',
      countedCash: '554.50',
      difference: '-0.01',
      result: 'short',
      closedBy: clerk.who.staffId,
    });
    // Movements made by card work are audited by that work; the drawer's own changes here.
    expect(await auditActions(t.deps.db, drawer.id)).toEqual([
      'drawer.open',
      'drawer.float',
      'drawer.close',
    ]);
  });

  it('reports a long drawer and a balanced one', async () => {
    const clerk = await clerkAt();
    await open(clerk, '0.00');
    await move(clerk, 'deposit_taken', '20.00');
    const long = await inject('POST', '/drawers/current/close', clerk.who.headers, {
      countedCash: '20.10',
    });
    expect(long.json<DrawerJson>()).toMatchObject({ difference: '0.10', result: 'long' });

    await open(clerk, '100.00');
    const even = await inject('POST', '/drawers/current/close', clerk.who.headers, {
      countedCash: '100.00',
    });
    expect(even.json<DrawerJson>()).toMatchObject({ difference: '0.00', result: 'balanced' });
  });

  it('refuses a second open drawer for the clerk and for the counter', async () => {
    const first = await clerkAt();
    expect((await open(first, '10.00')).statusCode).toBe(201);
    const again = await open(first, '10.00', 1);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'DRAWER_ALREADY_OPEN' });

    const second = await clerkAt(first.place);
    const busy = await open(second, '10.00', 0);
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ code: 'COUNTER_BUSY' });
    expect(await countDrawersOf(t.deps.db, first.who.staffId)).toBe(1);
    expect(await countDrawersOf(t.deps.db, second.who.staffId)).toBe(0);
  });

  it('lets exactly one of two simultaneous opens through', async () => {
    const clerk = await clerkAt();
    const answers = await Promise.all([open(clerk, '1.00', 0), open(clerk, '1.00', 1)]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await countDrawersOf(t.deps.db, clerk.who.staffId)).toBe(1);
  });

  it('refuses a counter of another branch, an unknown one, and one not signed in at', async () => {
    const clerk = await clerkAt();
    const elsewhere = await makeBranch(t, admin, 1);
    const other = await inject('POST', '/drawers/open', clerk.who.headers, {
      counterId: elsewhere.counterIds[0],
      openingFloat: '10.00',
    });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: 'BRANCH_OUT_OF_SCOPE' });
    const unknown = await inject('POST', '/drawers/open', clerk.who.headers, {
      counterId: randomUUID(),
      openingFloat: '10.00',
    });
    expect(unknown.json()).toMatchObject({ code: 'COUNTER_NOT_FOUND' });

    const [atCounter, otherCounter] = clerk.place.counterIds;
    const seated = await t.signIn('clerk', {
      branchId: clerk.place.branchId,
      counterId: atCounter,
    });
    const wrong = await inject('POST', '/drawers/open', seated.headers, {
      counterId: otherCounter,
      openingFloat: '10.00',
    });
    expect(wrong.json()).toMatchObject({ code: 'COUNTER_SESSION_MISMATCH' });
    expect(await countDrawersOf(t.deps.db, clerk.who.staffId)).toBe(0);
    expect(await countDrawersOf(t.deps.db, seated.staffId)).toBe(0);

    const bySession = await inject('POST', '/drawers/open', seated.headers, {
      openingFloat: '10.00',
    });
    expect(bySession.statusCode, bySession.body).toBe(201);
    expect(bySession.json()).toMatchObject({ counterId: atCounter });
  });

  it('answers bad amounts with 400 and changes nothing', async () => {
    const clerk = await clerkAt();
    for (const openingFloat of ['12.5', 12.5, '-1.00', -1, '1e3', ' 1.00', '1000000.01', null]) {
      const res = await open(clerk, openingFloat);
      expect(res.statusCode, String(openingFloat)).toBe(400);
      expect(['VALIDATION_FAILED', 'AMOUNT_OUT_OF_RANGE']).toContain(
        res.json<{ code: string }>().code,
      );
    }
    expect(await countDrawersOf(t.deps.db, clerk.who.staffId)).toBe(0);

    const drawer = (await open(clerk, '10.00')).json<DrawerJson>();
    const audited = await auditActions(t.deps.db, drawer.id);
    for (const countedCash of ['9.5', 9.5, '-1.00', '9.999']) {
      const res = await inject('POST', '/drawers/current/close', clerk.who.headers, {
        countedCash,
      });
      expect(res.statusCode, String(countedCash)).toBe(400);
    }
    for (const amount of ['-0.00', '0.00', '5', 5]) {
      const res = await inject('POST', '/drawers/current/float', clerk.who.headers, { amount });
      expect(res.statusCode, String(amount)).toBe(400);
    }
    const current = await inject('GET', '/drawers/current', clerk.who.headers);
    expect(current.json<DrawerJson>()).toMatchObject({ state: 'open', movementCount: 0 });
    expect(await countMovements(t.deps.db, drawer.id)).toBe(0);
    expect(await auditActions(t.deps.db, drawer.id)).toEqual(audited);
  });
});

describe('cash movements', () => {
  it('need an open drawer, and a closed drawer refuses them', async () => {
    const clerk = await clerkAt();
    expect(await codeOf(move(clerk, 'deposit_taken', '20.00'))).toBe('DRAWER_NOT_OPEN');
    const drawer = (await open(clerk, '10.00')).json<DrawerJson>();
    await inject('POST', '/drawers/current/close', clerk.who.headers, { countedCash: '10.00' });

    const late = withTransaction(t.deps.db, (tx) =>
      recordCashMovement(tx, {
        drawerId: drawer.id,
        kind: 'deposit_taken',
        amount: parseAmount('20.00'),
        reference: { type: 'card', id: randomUUID() },
        staff: clerk.principal,
        requestId: 'test-late-movement',
      }),
    );
    expect(await codeOf(late)).toBe('DRAWER_CLOSED');
    expect(await countMovements(t.deps.db, drawer.id)).toBe(0);
  });

  it('hold each kind to its sign, and refuse payouts beyond the cash in the drawer', async () => {
    const clerk = await clerkAt();
    const drawer = (await open(clerk, '10.00')).json<DrawerJson>();
    expect(await codeOf(move(clerk, 'deposit_taken', '-20.00'))).toBe('CASH_MOVEMENT_INVALID');
    expect(await codeOf(move(clerk, 'deposit_refunded', '20.00'))).toBe('CASH_MOVEMENT_INVALID');
    expect(await codeOf(move(clerk, 'deposit_refunded', '-10.01'))).toBe(
      'DRAWER_CASH_INSUFFICIENT',
    );
    await move(clerk, 'deposit_refunded', '-10.00');
    expect(await countMovements(t.deps.db, drawer.id)).toBe(1);
  });

  it('are only moved through a drawer by the clerk holding it', async () => {
    const holder = await clerkAt();
    const drawer = (await open(holder, '10.00')).json<DrawerJson>();
    const intruder = await clerkAt(holder.place);
    const attempt = withTransaction(t.deps.db, (tx) =>
      recordCashMovement(tx, {
        drawerId: drawer.id,
        kind: 'top_up_cash',
        amount: parseAmount('5.00'),
        reference: { type: 'card', id: randomUUID() },
        staff: intruder.principal,
        requestId: 'test-intruder',
      }),
    );
    expect(await codeOf(attempt)).toBe('DRAWER_NOT_YOURS');
  });

  it('are append-only in the database, and a closed drawer row is frozen', async () => {
    const clerk = await clerkAt();
    const drawer = (await open(clerk, '10.00')).json<DrawerJson>();
    await move(clerk, 'deposit_taken', '20.00');
    await inject('POST', '/drawers/current/close', clerk.who.headers, { countedCash: '30.00' });
    const db = t.deps.db;
    const id = [drawer.id];
    for (const sql of [
      'UPDATE issuance.cash_movements SET amount = 1 WHERE drawer_id = $1',
      'DELETE FROM issuance.cash_movements WHERE drawer_id = $1',
      'UPDATE issuance.drawers SET counted_cash = 20 WHERE id = $1',
      'DELETE FROM issuance.drawers WHERE id = $1',
    ]) {
      await expect(db.query(sql, id), sql).rejects.toMatchObject({ code: '42501' });
    }
    const res = await inject('GET', `/drawers/${drawer.id}`, auditor);
    expect(res.json<DrawerJson>()).toMatchObject({ countedCash: '30.00', difference: '0.00' });
  });
});
