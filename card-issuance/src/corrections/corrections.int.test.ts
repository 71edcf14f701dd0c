import { randomUUID } from 'node:crypto';
import { withTransaction } from '@citycard/core/db';
import { Amount } from '@citycard/core/money';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/verify.js';
import { auditActions, injector, type Headers, type Inject } from '../cards/test-support.js';
import { postShadowEntry } from '../cards/shadow-balance.js';
import {
  activeCard,
  orderedLoad,
  readCard,
  runLoadPlan,
  shadowOf,
  startLoadBench,
  type CardInHand,
  type LoadBench,
} from '../loads/test-support.js';

let b: LoadBench;
let inject: Inject;
let maker: Headers;
let checker: Headers;

beforeAll(async () => {
  b = await startLoadBench();
  inject = injector(b.t);
  maker = (await b.t.signIn('supervisor')).headers;
  checker = (await b.t.signIn('supervisor')).headers;
});
afterAll(async () => {
  await b?.close();
});

/** A card holding `amount`, whose shadow balance a wrongly recorded debit of `debitFen` lowered. */
async function cardOutOfStep(amount: string, debitFen: bigint): Promise<CardInHand> {
  const card = await activeCard(b);
  const { readPlanId } = await readCard(b.agent, card.vc);
  const { planId } = await orderedLoad(b, card.id, amount, readPlanId);
  await runLoadPlan(b, planId, card.vc);
  if (debitFen > 0n) await debit(card.id, debitFen);
  return card;
}

const debit = (cardId: string, fen: bigint) =>
  withTransaction(b.t.deps.db, (tx) =>
    postShadowEntry(tx, {
      cardId,
      kind: 'debit',
      amount: Amount.fromFen(fen),
      reference: `test:${randomUUID()}`,
    }),
  );

const ask = (cardId: string, readPlanId: string, headers = maker) =>
  inject('POST', `/cards/${cardId}/balance-corrections`, headers, {
    readPlanId,
    reason: 'Duplicate terminal record reversed',
  });

describe('balance corrections (maker-checker)', () => {
  it('flags the mismatch, and moves the shadow balance only when a second supervisor approves', async () => {
    const card = await cardOutOfStep('50.00', 500n);
    const read = await readCard(b.agent, card.vc);
    expect(read.card).toMatchObject({ balance: '50.00', shadowBalance: '45.00', mismatch: true });

    const asked = await ask(card.id, read.readPlanId);
    expect(asked.statusCode, asked.body).toBe(201);
    const correction = asked.json<{ id: string }>();
    expect(asked.json()).toMatchObject({
      state: 'requested',
      cardBalance: '50.00',
      shadowBalance: '45.00',
      amount: '5.00',
    });
    expect(await shadowOf(b, card.id)).toBe('45.00');

    const self = await inject('POST', `/balance-corrections/${correction.id}/approve`, maker);
    expect(self.statusCode).toBe(403);
    expect(self.json()).toMatchObject({ code: 'BALANCE_CORRECTION_SELF_APPROVAL' });
    const clerk = await inject(
      'POST',
      `/balance-corrections/${correction.id}/approve`,
      b.clerk.headers,
    );
    expect(clerk.json()).toMatchObject({ code: 'FORBIDDEN' });

    const approved = await inject(
      'POST',
      `/balance-corrections/${correction.id}/approve`,
      checker,
      {
        note: 'Checked against the gateway batch',
      },
    );
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'approved' });
    expect(await shadowOf(b, card.id)).toBe('50.00');
    expect((await readCard(b.agent, card.vc)).card).toMatchObject({ mismatch: false });

    const twice = await inject('POST', `/balance-corrections/${correction.id}/approve`, checker);
    expect(twice.json()).toMatchObject({ code: 'BALANCE_CORRECTION_NOT_PENDING' });
    expect(await shadowOf(b, card.id)).toBe('50.00');
    const actions = await auditActions(b.t.deps.db, card.id);
    expect(actions.filter((a) => a.startsWith('balance_correction.'))).toEqual([
      'balance_correction.requested',
      'balance_correction.approved',
    ]);
    expect((await verifyAuditChain(b.t.deps.db)).ok).toBe(true);
  });

  it('corrects downwards too, and refuses when card and shadow agree', async () => {
    const card = await cardOutOfStep('20.00', 0n);
    const { readPlanId } = await readCard(b.agent, card.vc);
    const agree = await ask(card.id, readPlanId);
    expect(agree.json()).toMatchObject({ code: 'BALANCE_CORRECTION_NOT_NEEDED' });
    // A shadow balance above the card: a load confirmed that the card never got, say.
    await withTransaction(b.t.deps.db, (tx) =>
      postShadowEntry(tx, {
        cardId: card.id,
        kind: 'load',
        amount: Amount.fromFen(300n),
        reference: `test:${randomUUID()}`,
      }),
    );
    const again = await readCard(b.agent, card.vc);
    const asked = await ask(card.id, again.readPlanId);
    expect(asked.json()).toMatchObject({ amount: '-3.00', shadowBalance: '23.00' });
    const id = asked.json<{ id: string }>().id;
    const res = await inject('POST', `/balance-corrections/${id}/approve`, checker);
    expect(res.statusCode, res.body).toBe(200);
    expect(await shadowOf(b, card.id)).toBe('20.00');
  });

  it('refuses an approval once the shadow balance moved, and lets the asker withdraw', async () => {
    const card = await cardOutOfStep('30.00', 1_000n);
    const { readPlanId } = await readCard(b.agent, card.vc);
    const asked = await ask(card.id, readPlanId);
    const id = asked.json<{ id: string }>().id;
    const second = await ask(card.id, readPlanId);
    expect(second.json()).toMatchObject({ code: 'BALANCE_CORRECTION_OPEN' });
    await debit(card.id, 100n);
    const stale = await inject('POST', `/balance-corrections/${id}/approve`, checker);
    expect(stale.json()).toMatchObject({ code: 'BALANCE_CORRECTION_STALE' });
    expect(await shadowOf(b, card.id)).toBe('19.00');
    const withdrawn = await inject('POST', `/balance-corrections/${id}/reject`, maker, {
      note: 'Figures moved, asking again',
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toMatchObject({ state: 'rejected' });
    const list = await inject('GET', `/cards/${card.id}/balance-corrections`, checker);
    expect(list.json<{ items: { state: string }[] }>().items.map((c) => c.state)).toEqual([
      'rejected',
    ]);
  });
});
