import { withTransaction } from '@citycard/core/db';
import { Amount } from '@citycard/core/money';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postShadowEntry } from '../cards/shadow-balance.js';
import { auditActions, injector, snapshot, type Inject } from '../cards/test-support.js';
import {
  activeCard,
  addFen,
  drawerCash,
  getLoad,
  loadEntriesOf,
  orderLoad,
  orderedLoad,
  readCard,
  runLoadPlan,
  shadowOf,
  startLoadBench,
  tapDebit,
  type LoadBench,
} from './test-support.js';

let b: LoadBench;
let inject: Inject;

beforeAll(async () => {
  b = await startLoadBench('500.00');
  inject = injector(b.t);
});
afterAll(async () => {
  await b?.close();
});

async function loadCountOf(cardId: string): Promise<number> {
  const { rows } = await b.t.deps.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM issuance.loads WHERE card_id = $1',
    [cardId],
  );
  return rows[0]?.n ?? -1;
}

describe('a load through the reader agent', () => {
  it('takes the cash, writes the card, and moves the shadow balance once on the report', async () => {
    const card = await activeCard(b);
    const cashBefore = await drawerCash(b);
    const { readPlanId } = await readCard(b.agent, card.vc);

    const { load, planId } = await orderedLoad(b, card.id, '50.00', readPlanId);
    expect(load).toMatchObject({ cardId: card.id, amount: '50.00', state: 'pending' });
    // Phase one: the cash is in the drawer, the shadow balance has not moved.
    expect(await drawerCash(b)).toBe(addFen(cashBefore, 5_000));
    expect(await shadowOf(b, card.id)).toBe('0.00');

    const run = await runLoadPlan(b, planId, card.vc);
    expect(run.report.outcome).toBe('completed');
    expect(run.answer).toMatchObject({ planId, status: 'accepted' });
    expect(await shadowOf(b, card.id)).toBe('50.00');
    expect(await loadEntriesOf(b, card.id)).toEqual([`load:${load.id}`]);

    const after = await readCard(b.agent, card.vc);
    expect(after.card).toMatchObject({
      balance: '50.00',
      shadowBalance: '50.00',
      purseCounter: 1,
      mismatch: false,
      uncertainLoadsResolved: 0,
    });
    const detail = await getLoad(b, load.id);
    expect(detail.state).toBe('confirmed');
    expect(detail.events.map((e) => [e.cause, e.toState])).toEqual([
      ['ordered', 'pending'],
      ['read_back', 'confirmed'],
    ]);
    expect(await auditActions(b.t.deps.db, load.id)).toEqual(['load.ordered', 'load.confirmed']);
    expect(await drawerCash(b)).toBe(addFen(cashBefore, 5_000));
  });

  it('answers a repeated report with the same answer and changes nothing', async () => {
    const card = await activeCard(b);
    const { readPlanId } = await readCard(b.agent, card.vc);
    const { planId, load } = await orderedLoad(b, card.id, '12.30', readPlanId);
    const run = await runLoadPlan(b, planId, card.vc);
    // The database itself refuses a second shadow entry for the same load.
    const second = withTransaction(b.t.deps.db, (tx) =>
      postShadowEntry(tx, {
        cardId: card.id,
        kind: 'load',
        amount: Amount.fromFen(1_230n),
        reference: `load:${load.id}`,
      }),
    );
    await expect(second).rejects.toThrow();
    const before = await snapshot(b.t.deps.db, card.id);
    const again = await b.agent.post(`/v1/agent/plans/${planId}/report`, run.report);
    expect(again.status).toBe(200);
    expect(again.json()).toEqual(run.answer);
    expect(await snapshot(b.t.deps.db, card.id)).toBe(before);
    expect(await loadEntriesOf(b, card.id)).toEqual([`load:${load.id}`]);
    expect(await shadowOf(b, card.id)).toBe('12.30');
  });

  it('lists the loads of a card, by status', async () => {
    const card = await activeCard(b);
    const { readPlanId } = await readCard(b.agent, card.vc);
    const { load } = await orderedLoad(b, card.id, '1.00', readPlanId);
    const res = await inject('GET', `/cards/${card.id}/loads?status=pending`, b.clerk.headers);
    expect(res.json<{ items: { id: string }[] }>().items.map((l) => l.id)).toEqual([load.id]);
    const none = await inject('GET', `/cards/${card.id}/loads?status=uncertain`, b.clerk.headers);
    expect(none.json<{ items: unknown[] }>().items).toEqual([]);
  });
});

describe('limits and refusals', () => {
  function expectRefused(res: { statusCode: number; json: () => unknown }, code: string) {
    expect(res.json()).toMatchObject({ code });
  }

  it('refuses a load above the per-load maximum and changes nothing', async () => {
    const card = await activeCard(b);
    const { readPlanId } = await readCard(b.agent, card.vc);
    const before = await snapshot(b.t.deps.db, card.id);
    const cash = await drawerCash(b);
    const res = await orderLoad(b, card.id, '1000.01', readPlanId);
    expect(res.statusCode).toBe(400);
    expectRefused(res, 'LOAD_AMOUNT_ABOVE_LIMIT');
    expect(res.json()).toMatchObject({ details: { perLoadMax: '1000.00' } });
    expect(await snapshot(b.t.deps.db, card.id)).toBe(before);
    expect(await drawerCash(b)).toBe(cash);
    expect(await loadCountOf(card.id)).toBe(0);
  });

  it('refuses a zero or negative amount before anything is looked at', async () => {
    const card = await activeCard(b);
    const { readPlanId } = await readCard(b.agent, card.vc);
    const zero = await orderLoad(b, card.id, '0.00', readPlanId);
    expect(zero.json()).toMatchObject({ code: 'AMOUNT_OUT_OF_RANGE' });
    const negative = await orderLoad(b, card.id, '-5.00', readPlanId);
    expect(negative.statusCode).toBe(400);
    expect(await loadCountOf(card.id)).toBe(0);
  });

  it('shows the limits to clerks, and lets only an administrator set them, audited', async () => {
    const put = (headers: Record<string, string>, payload: object) =>
      b.t.app.inject({ method: 'PUT', url: '/load-limits', headers, payload });
    const shown = await inject('GET', '/load-limits', b.clerk.headers);
    expect(shown.json()).toEqual({ perLoadMax: '1000.00', dailyMaxPerCard: '2000.00' });
    const clerkSet = await put(b.clerk.headers, shown.json());
    expect(clerkSet.statusCode).toBe(403);
    const zero = await put(b.admin, { perLoadMax: '0.00', dailyMaxPerCard: '2000.00' });
    expect(zero.json()).toMatchObject({ code: 'AMOUNT_OUT_OF_RANGE' });
    // Set to what they are: other tests in this run share the limits.
    const same = await put(b.admin, shown.json());
    expect(same.statusCode, same.body).toBe(200);
    expect(await auditActions(b.t.deps.db, 'load_limits')).toContain('load_limits.change');
  });

  it("refuses a load past the card type's maximum balance, on the card or in the shadow", async () => {
    const card = await activeCard(b);
    const first = await readCard(b.agent, card.vc);
    const { planId } = await orderedLoad(b, card.id, '990.00', first.readPlanId);
    await runLoadPlan(b, planId, card.vc);
    const { readPlanId } = await readCard(b.agent, card.vc);
    const before = await snapshot(b.t.deps.db, card.id);
    const cash = await drawerCash(b);
    const res = await orderLoad(b, card.id, '10.01', readPlanId);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'LOAD_BALANCE_ABOVE_MAX',
      details: { cardBalance: '990.00', shadowBalance: '990.00', maxBalance: '1000.00' },
    });
    expect(await snapshot(b.t.deps.db, card.id)).toBe(before);
    expect(await drawerCash(b)).toBe(cash);
    const exact = await orderLoad(b, card.id, '10.00', readPlanId);
    expect(exact.statusCode, exact.body).toBe(201);
  });

  it('refuses a load past the daily maximum per card', async () => {
    const card = await activeCard(b);
    for (const amount of ['900.00', '900.00']) {
      const { readPlanId } = await readCard(b.agent, card.vc);
      const { planId } = await orderedLoad(b, card.id, amount, readPlanId);
      expect((await runLoadPlan(b, planId, card.vc)).answer.status).toBe('accepted');
      await tapDebit(b, card, 90_000);
    }
    const { readPlanId } = await readCard(b.agent, card.vc);
    const before = await snapshot(b.t.deps.db, card.id);
    const res = await orderLoad(b, card.id, '200.01', readPlanId);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'LOAD_DAILY_LIMIT_EXCEEDED',
      details: { loadedToday: '1800.00', dailyMaxPerCard: '2000.00' },
    });
    expect(await snapshot(b.t.deps.db, card.id)).toBe(before);
    expect(await loadCountOf(card.id)).toBe(2);
  });

  it('refuses a second load while one is open, and a read older than the last load', async () => {
    const card = await activeCard(b);
    const { readPlanId } = await readCard(b.agent, card.vc);
    const { load } = await orderedLoad(b, card.id, '5.00', readPlanId);
    const second = await orderLoad(b, card.id, '5.00', readPlanId);
    expect(second.json()).toMatchObject({
      code: 'LOAD_OPEN_ON_CARD',
      details: { loadId: load.id, state: 'pending' },
    });
    const other = await activeCard(b);
    const wrongCard = await orderLoad(b, other.id, '5.00', readPlanId);
    expect(wrongCard.json()).toMatchObject({
      code: 'LOAD_READ_REQUIRED',
      details: { reason: 'not_a_read_of_this_card' },
    });
  });

  it('refuses a read the card was written after, and a card that is not active', async () => {
    const card = await activeCard(b);
    const { readPlanId } = await readCard(b.agent, card.vc);
    const { planId } = await orderedLoad(b, card.id, '5.00', readPlanId);
    await runLoadPlan(b, planId, card.vc);
    const stale = await orderLoad(b, card.id, '5.00', readPlanId);
    expect(stale.json()).toMatchObject({
      code: 'LOAD_READ_REQUIRED',
      details: { reason: 'card_written_since' },
    });
    const fresh = await readCard(b.agent, card.vc);
    await inject('POST', `/cards/${card.id}/freeze`, b.clerk.headers);
    const frozen = await orderLoad(b, card.id, '5.00', fresh.readPlanId);
    expect(frozen.json()).toMatchObject({ code: 'LOAD_CARD_NOT_ACTIVE' });
  });
});

describe('a load that failed before it reached the card', () => {
  it('keeps the cash for a retry when the card changed since its read (guard)', async () => {
    const card = await activeCard(b);
    const first = await readCard(b.agent, card.vc);
    const { planId } = await orderedLoad(b, card.id, '30.00', first.readPlanId);
    const settle = await orderedLoadSettled(card.id);
    const cash = await drawerCash(b);
    // A purchase on the card after the read: the plan's guard read no longer matches.
    await tapDebit(b, card, 0);
    const run = await runLoadPlan(b, planId, card.vc);
    expect(run.report.outcome).toBe('readback_mismatch');
    expect(run.answer.status).toBe('rejected');
    expect(await settle()).toBe('failed');
    expect(await drawerCash(b)).toBe(cash);
    expect(await shadowOf(b, card.id)).toBe('0.00');

    const { readPlanId } = await readCard(b.agent, card.vc);
    const res = await inject('POST', `/loads/${await settle.id()}/retry`, b.clerk.headers, {
      agentId: b.agentId,
      readPlanId,
    });
    expect(res.statusCode, res.body).toBe(201);
    const retried = res.json<{ planId: string }>();
    expect((await runLoadPlan(b, retried.planId, card.vc)).answer.status).toBe('accepted');
    expect(await settle()).toBe('confirmed');
    expect(await shadowOf(b, card.id)).toBe('30.00');
    expect(await drawerCash(b)).toBe(cash);
    expect((await readCard(b.agent, card.vc)).card).toMatchObject({
      balance: '30.00',
      mismatch: false,
    });
  });

  it('pays the cash back when the customer does not want to wait', async () => {
    const card = await activeCard(b);
    const first = await readCard(b.agent, card.vc);
    const { planId, load } = await orderedLoad(b, card.id, '8.80', first.readPlanId);
    await tapDebit(b, card, 0);
    await runLoadPlan(b, planId, card.vc);
    const cash = await drawerCash(b);
    const res = await inject('POST', `/loads/${load.id}/refund`, b.clerk.headers);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'refunded' });
    expect(await drawerCash(b)).toBe(addFen(cash, -880));
    const again = await inject('POST', `/loads/${load.id}/refund`, b.clerk.headers);
    expect(again.json()).toMatchObject({ code: 'LOAD_STATE_INVALID' });
    expect(await drawerCash(b)).toBe(addFen(cash, -880));
    expect(await shadowOf(b, card.id)).toBe('0.00');
  });

  /** The state of the one load on a card, as a function to call again. */
  async function orderedLoadSettled(cardId: string) {
    const { rows } = await b.t.deps.db.query<{ id: string }>(
      'SELECT id FROM issuance.loads WHERE card_id = $1',
      [cardId],
    );
    const id = rows[0]?.id ?? '';
    const state = async () => (await getLoad(b, id)).state;
    return Object.assign(state, { id: () => Promise.resolve(id) });
  }
});
