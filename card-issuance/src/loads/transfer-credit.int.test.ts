import { withTransaction } from '@citycard/core/db';
import { Amount } from '@citycard/core/money';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postShadowEntry } from '../cards/shadow-balance.js';
import { importStock, injector, snapshot, type Inject } from '../cards/test-support.js';
import { blankCard, requestPersonalisation, runAsAgent } from '../personalisation/test-support.js';
import {
  activeCard,
  drawerCash,
  getLoad,
  loadEntriesOf,
  orderedLoad,
  readCard,
  runLoadPlan,
  shadowOf,
  startLoadBench,
  tapDebit,
  type CardInHand,
  type LoadBench,
  type Tear,
} from './test-support.js';

let b: LoadBench;
let inject: Inject;
const HOLD_SECONDS = 7 * 86_400;

beforeAll(async () => {
  b = await startLoadBench('300.00');
  inject = injector(b.t);
});
afterAll(async () => {
  await b?.close();
});

interface Replaced {
  readonly old: CardInHand;
  readonly card: CardInHand;
}

/**
 * A card topped up with `amount` in cash, reported lost and replaced by a stock card personalised
 * on the reader; the hold has passed and the old card's balance was released to the new one.
 */
async function releasedReplacement(amount: string): Promise<Replaced> {
  const old = await activeCard(b);
  const { readPlanId } = await readCard(b.agent, old.vc);
  const { planId } = await orderedLoad(b, old.id, amount, readPlanId);
  expect((await runLoadPlan(b, planId, old.vc)).answer.status).toBe('accepted');
  const lost = await inject('POST', `/cards/${old.id}/report-lost`, b.clerk.headers);
  expect(lost.statusCode, lost.body).toBe(200);
  const [uid = ''] = await importStock(b.t, b.admin, 1);
  const res = await inject('POST', `/cards/${old.id}/replace`, b.clerk.headers, {
    newUid: uid,
    reason: 'Lost on the metro',
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json<{ replacement: { id: string } }>().replacement.id;
  const vc = blankCard(uid);
  const planned = await requestPersonalisation(b.t, b.clerk.headers, id, b.agentId);
  expect((await runAsAgent(b.agent, planned.planId, vc)).answer.status).toBe('accepted');

  const early = await inject('POST', `/cards/${old.id}/release-transfer`, b.clerk.headers);
  expect(early.json()).toMatchObject({ code: 'BALANCE_TRANSFER_HELD' });
  b.t.advanceClock(HOLD_SECONDS + 1);
  const release = await inject('POST', `/cards/${old.id}/release-transfer`, b.clerk.headers);
  expect(release.statusCode, release.body).toBe(200);
  expect(release.json()).toMatchObject({ amount, toCardId: id });
  return { old, card: { id, uid, vc } };
}

function orderCredit(cardId: string, readPlanId: string) {
  return inject('POST', `/cards/${cardId}/transfer-credit`, b.clerk.headers, {
    agentId: b.agentId,
    readPlanId,
  });
}

async function orderedCredit(cardId: string, readPlanId: string) {
  const res = await orderCredit(cardId, readPlanId);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ planId: string; load: { id: string; drawerId: string | null } }>();
}

async function owedOn(cardId: string): Promise<string> {
  const res = await inject('GET', `/cards/${cardId}`, b.clerk.headers);
  return res.json<{ transferCreditOwed: string }>().transferCreditOwed;
}

interface ContractRow {
  status: string;
  kind: string;
  amount: string;
  drawer_id: string | null;
  branch_id: string | null;
  purse_counter_after: string | null;
  balance_after: string | null;
  confirmed_at: Date | null;
}

async function contractOf(loadId: string): Promise<ContractRow | undefined> {
  const { rows } = await b.t.deps.db.query<ContractRow>(
    `SELECT status, kind, amount::text, drawer_id, branch_id, purse_counter_after::text,
            balance_after::text, confirmed_at
       FROM issuance.loads_contract WHERE load_id = $1`,
    [loadId],
  );
  return rows[0];
}

describe('a released balance transfer is written onto the replacement card', () => {
  it('writes it on the next read, moves no cash and posts no second shadow entry', async () => {
    const { card } = await releasedReplacement('30.00');
    expect(await shadowOf(b, card.id)).toBe('30.00');
    expect(await owedOn(card.id)).toBe('30.00');
    const cash = await drawerCash(b);

    const read = await readCard(b.agent, card.vc);
    expect(read.card).toMatchObject({ balance: '0.00', shadowBalance: '30.00', mismatch: true });
    const { planId, load } = await orderedCredit(card.id, read.readPlanId);
    expect(load.drawerId).toBeNull();
    const run = await runLoadPlan(b, planId, card.vc);
    expect(run.answer.status).toBe('accepted');

    const after = await readCard(b.agent, card.vc);
    expect(after.card).toMatchObject({ balance: '30.00', shadowBalance: '30.00', mismatch: false });
    expect(after.card.purseCounter).toBe((read.card.purseCounter ?? 0) + 1);
    expect(await drawerCash(b)).toBe(cash);
    expect(await loadEntriesOf(b, card.id)).toEqual([]);
    expect(await owedOn(card.id)).toBe('0.00');

    // The agent sends its report again: the same answer, nothing written or posted twice.
    const before = await snapshot(b.t.deps.db, card.id);
    const again = await b.agent.post(`/v1/agent/plans/${planId}/report`, run.report);
    expect(again.json()).toEqual(run.answer);
    expect(await snapshot(b.t.deps.db, card.id)).toBe(before);

    // Nothing more is owed: a second order is refused and the chip keeps one credit.
    const twice = await orderCredit(card.id, after.readPlanId);
    expect(twice.json()).toMatchObject({ code: 'BALANCE_TRANSFER_NOT_PENDING' });
    expect((await readCard(b.agent, card.vc)).card).toMatchObject({
      balance: '30.00',
      purseCounter: after.card.purseCounter,
    });

    // Clearing sees it in the card's balance chain, never as counter cash.
    expect(await contractOf(load.id)).toMatchObject({
      status: 'transfer_confirmed',
      kind: 'transfer',
      amount: '30.00',
      drawer_id: null,
      purse_counter_after: String(after.card.purseCounter),
      balance_after: '30.00',
    });
    const row = await contractOf(load.id);
    expect(row?.branch_id).not.toBeNull();
    expect(row?.confirmed_at).not.toBeNull();
    // And finds it by the instant of its confirmation.
    const { rows: confirmations } = await b.t.deps.db.query<{ confirmed_at: Date }>(
      'SELECT confirmed_at FROM issuance.load_confirmations_contract WHERE load_id = $1',
      [load.id],
    );
    expect(confirmations.map((c) => c.confirmed_at)).toEqual([row?.confirmed_at]);
    // A credit moved from another card is no top-up: no counter took cash for it.
    const { rows: topUps } = await b.t.deps.db.query(
      'SELECT 1 FROM issuance.top_ups_confirmed_contract WHERE load_id = $1',
      [load.id],
    );
    expect(topUps).toEqual([]);
  });

  const TORN: readonly { name: string; tear: Tear; applied: boolean }[] = [
    { name: 'after the record write (on the card)', tear: { at: 4 }, applied: true },
    { name: 'after the backup write (not on the card)', tear: { at: 3 }, applied: false },
  ];

  for (const c of TORN) {
    it(`settles a write pulled ${c.name} from the next read, exactly once`, async () => {
      const { card } = await releasedReplacement('12.34');
      const cash = await drawerCash(b);
      const read = await readCard(b.agent, card.vc);
      const { planId, load } = await orderedCredit(card.id, read.readPlanId);
      const run = await runLoadPlan(b, planId, card.vc, c.tear);
      expect(run.answer.status).toBe('uncertain');
      // While the credit is uncertain the card takes no other load, nor the credit again.
      const meanwhile = await orderCredit(card.id, read.readPlanId);
      expect(meanwhile.json()).toMatchObject({ code: 'LOAD_OPEN_ON_CARD' });

      const next = await readCard(b.agent, card.vc);
      expect(next.card.uncertainLoadsResolved).toBe(1);
      const settled = await getLoad(b, load.id);
      expect(settled.state).toBe(c.applied ? 'confirmed' : 'failed');
      if (!c.applied) {
        // No cash to give back: it is written again from a fresh read.
        const refund = await inject('POST', `/loads/${load.id}/refund`, b.clerk.headers);
        expect(refund.json()).toMatchObject({ code: 'LOAD_STATE_INVALID' });
        const retry = await inject('POST', `/loads/${load.id}/retry`, b.clerk.headers, {
          agentId: b.agentId,
          readPlanId: next.readPlanId,
        });
        expect(retry.statusCode, retry.body).toBe(201);
        const again = await runLoadPlan(b, retry.json<{ planId: string }>().planId, card.vc);
        expect(again.answer.status).toBe('accepted');
      }
      const final = await readCard(b.agent, card.vc);
      expect(final.card).toMatchObject({ balance: '12.34', shadowBalance: '12.34' });
      expect(final.card.purseCounter).toBe((read.card.purseCounter ?? 0) + 1);
      expect((await getLoad(b, load.id)).state).toBe('confirmed');
      expect(await loadEntriesOf(b, card.id)).toEqual([]);
      expect(await drawerCash(b)).toBe(cash);
      expect(await contractOf(load.id)).toMatchObject({
        status: 'transfer_confirmed',
        purse_counter_after: String(final.card.purseCounter),
        balance_after: '12.34',
      });
    });
  }

  it('chains with the taps around it, and leaves top-ups their own limits', async () => {
    const { card } = await releasedReplacement('5.00');
    const read = await readCard(b.agent, card.vc);
    const { planId, load } = await orderedCredit(card.id, read.readPlanId);
    expect((await runLoadPlan(b, planId, card.vc)).answer.status).toBe('accepted');
    await tapDebit(b, card, 150);
    const after = await readCard(b.agent, card.vc);
    expect(after.card).toMatchObject({ balance: '3.50', shadowBalance: '3.50', mismatch: false });
    const row = await contractOf(load.id);
    expect(Number(row?.purse_counter_after)).toBe((after.card.purseCounter ?? 0) - 1);

    // The database refuses a load entry for a transfer credit outright: the release posted it.
    const second = withTransaction(b.t.deps.db, (tx) =>
      postShadowEntry(tx, {
        cardId: card.id,
        kind: 'load',
        amount: Amount.fromFen(500n),
        reference: `load:${load.id}`,
      }),
    );
    await expect(second).rejects.toThrow();
    expect(await shadowOf(b, card.id)).toBe('3.50');

    // The holder's own money coming back is no top-up: the day's limit still allows a full one.
    const limits = { perLoadMax: '100.00', dailyMaxPerCard: '100.00' };
    const putLimits = (payload: Record<string, string>) =>
      b.t.app.inject({ method: 'PUT', url: '/load-limits', headers: b.admin, payload });
    const set = await putLimits(limits);
    expect(set.statusCode, set.body).toBe(200);
    try {
      const fresh = await readCard(b.agent, card.vc);
      const topUp = await orderedLoad(b, card.id, '100.00', fresh.readPlanId);
      expect((await runLoadPlan(b, topUp.planId, card.vc)).answer.status).toBe('accepted');
      expect(await shadowOf(b, card.id)).toBe('103.50');
      expect(await loadEntriesOf(b, card.id)).toEqual([`load:${topUp.load.id}`]);
    } finally {
      await putLimits({ perLoadMax: '1000.00', dailyMaxPerCard: '2000.00' });
    }
  });
});
