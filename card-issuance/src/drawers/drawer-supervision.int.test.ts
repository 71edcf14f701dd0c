import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import {
  auditActions,
  countMovements,
  makeBranch,
  type DrawerJson,
  type Headers,
  type Place,
} from './test-support.js';

let t: IssuanceTestApp;
let admin: Headers;
let auditor: Headers;
let place: Place;
let supervisor: Headers;
let elsewhere: Headers;

beforeAll(async () => {
  t = await startIssuanceTestApp();
  admin = (await t.signIn('admin')).headers;
  auditor = (await t.signIn('auditor')).headers;
  place = await makeBranch(t, admin, 3);
  supervisor = (await t.signIn('supervisor', { branchId: place.branchId })).headers;
  const other = await makeBranch(t, admin, 0);
  elsewhere = (await t.signIn('supervisor', { branchId: other.branchId })).headers;
});
afterAll(async () => {
  await t?.close();
});

const inject = (method: 'GET' | 'POST', url: string, headers: Headers, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

/** A clerk of the branch with a drawer open at the given counter. */
async function openDrawer(counter: number, openingFloat = '100.00') {
  const clerk = await t.signIn('clerk', { branchId: place.branchId });
  const res = await inject('POST', '/drawers/open', clerk.headers, {
    counterId: place.counterIds[counter],
    openingFloat,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { headers: clerk.headers, drawer: res.json<DrawerJson>() };
}

const correct = (id: string, payload: object, headers = supervisor) =>
  inject('POST', `/drawers/${id}/corrections`, headers, payload);

describe('corrections', () => {
  it('into an open drawer change what the close expects', async () => {
    const { headers, drawer } = await openDrawer(0);
    const made = await correct(drawer.id, { amount: '-0.50', reason: 'Miscounted float' });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ drawerId: drawer.id, afterClose: false });
    const closed = await inject('POST', '/drawers/current/close', headers, {
      countedCash: '99.50',
    });
    expect(closed.json<DrawerJson>()).toMatchObject({
      expectedCash: '99.50',
      result: 'balanced',
      corrected: null,
    });
  });

  it('after the close leave the close as counted and show the corrected standing beside it', async () => {
    const { headers, drawer } = await openDrawer(1);
    await inject('POST', '/drawers/current/close', headers, { countedCash: '99.00' });
    const first = await correct(drawer.id, { amount: '-0.60', reason: 'Unrecorded refund' });
    expect(first.statusCode, first.body).toBe(201);
    const movementId = first.json<{ id: string }>().id;
    const second = await correct(drawer.id, {
      amount: '-0.40',
      reason: 'Rest of the refund',
      movementId,
    });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json()).toMatchObject({ afterClose: true });

    const res = await inject('GET', `/drawers/${drawer.id}`, supervisor);
    const view = res.json<DrawerJson>();
    expect(view).toMatchObject({
      expectedCash: '100.00',
      countedCash: '99.00',
      difference: '-1.00',
      result: 'short',
      corrected: {
        corrections: '-1.00',
        expectedCash: '99.00',
        difference: '0.00',
        result: 'balanced',
      },
    });
    expect(await auditActions(t.deps.db, drawer.id)).toEqual([
      'drawer.open',
      'drawer.close',
      'drawer.correction',
      'drawer.correction',
    ]);
    expect(view.movements?.map((m) => [m.kind, m.amount, m.afterClose, m.reference.type])).toEqual([
      ['correction', '-0.60', true, 'drawer'],
      ['correction', '-0.40', true, 'cash_movement'],
    ]);
  });

  it('are a supervisor’s, of their own branch, with a reason and a non-zero amount', async () => {
    const { headers, drawer } = await openDrawer(2);
    expect((await correct(drawer.id, { amount: '1.00', reason: 'x' }, headers)).statusCode).toBe(
      403,
    );
    expect((await correct(drawer.id, { amount: '1.00', reason: 'x' }, auditor)).statusCode).toBe(
      403,
    );
    const foreign = await correct(drawer.id, { amount: '1.00', reason: 'x' }, elsewhere);
    expect(foreign.json()).toMatchObject({ code: 'BRANCH_OUT_OF_SCOPE' });
    for (const payload of [
      { amount: '1.00' },
      { amount: '1.00', reason: '' },
      { amount: '0.00', reason: 'zero' },
      { amount: 1, reason: 'number' },
      { amount: '1.5', reason: 'one place' },
      { amount: '-1000000.01', reason: 'too much' },
    ]) {
      const res = await correct(drawer.id, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const missing = await correct(drawer.id, {
      amount: '1.00',
      reason: 'x',
      movementId: randomUUID(),
    });
    expect(missing.statusCode).toBe(404);
    expect(await countMovements(t.deps.db, drawer.id)).toBe(0);
    await inject('POST', '/drawers/current/close', headers, { countedCash: '100.00' });
  });
});

describe('supervising drawers', () => {
  it('closes a drawer its clerk left open, with a note', async () => {
    const { headers, drawer } = await openDrawer(0, '50.00');
    const url = `/drawers/${drawer.id}/close`;
    expect((await inject('POST', url, supervisor, { countedCash: '50.00' })).statusCode).toBe(400);
    const foreign = await inject('POST', url, elsewhere, { countedCash: '50.00', note: 'x' });
    expect(foreign.json()).toMatchObject({ code: 'BRANCH_OUT_OF_SCOPE' });
    const closed = await inject('POST', url, supervisor, {
      countedCash: '49.00',
      note: 'Clerk went home ill',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json<DrawerJson>()).toMatchObject({ result: 'short', difference: '-1.00' });
    expect(closed.json<DrawerJson>().closedBy).not.toBe(closed.json<DrawerJson>().staffId);
    const twice = await inject('POST', url, supervisor, { countedCash: '49.00', note: 'again' });
    expect(twice.json()).toMatchObject({ code: 'DRAWER_CLOSED' });
    const mine = await inject('GET', '/drawers/current', headers);
    expect(mine.json()).toMatchObject({ code: 'DRAWER_NOT_OPEN' });
  });

  it('lists drawers by branch, state and time, within the supervisor’s branch', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const { drawer } = await openDrawer(1, '10.00');
    const query = `branchId=${place.branchId}&state=open&from=${encodeURIComponent(from)}`;
    const list = await inject('GET', `/drawers?${query}`, supervisor);
    expect(list.statusCode, list.body).toBe(200);
    const items = list.json<{ items: DrawerJson[] }>().items;
    expect(items.map((d) => d.id)).toContain(drawer.id);
    expect(items.every((d) => d.state === 'open' && d.branchId === place.branchId)).toBe(true);

    const foreign = await inject('GET', `/drawers?branchId=${place.branchId}`, elsewhere);
    expect(foreign.json()).toMatchObject({ code: 'BRANCH_OUT_OF_SCOPE' });
    const own = await inject('GET', '/drawers', elsewhere);
    expect(own.json<{ items: DrawerJson[] }>().items).toEqual([]);
    const single = await inject('GET', `/drawers/${drawer.id}`, elsewhere);
    expect(single.json()).toMatchObject({ code: 'BRANCH_OUT_OF_SCOPE' });

    for (const headers of [auditor, admin]) {
      const all = await inject('GET', `/drawers?${query}`, headers);
      expect(all.json<{ items: DrawerJson[] }>().items.map((d) => d.id)).toContain(drawer.id);
    }
    const future = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
    const none = await inject('GET', `/drawers?branchId=${place.branchId}&from=${future}`, admin);
    expect(none.json<{ items: DrawerJson[] }>().items).toEqual([]);
    const bad = await inject('GET', '/drawers?from=yesterday', admin);
    expect(bad.statusCode).toBe(400);
    const unknown = await inject('GET', `/drawers/${randomUUID()}`, auditor);
    expect(unknown.json()).toMatchObject({ code: 'DRAWER_NOT_FOUND' });
  });
});
