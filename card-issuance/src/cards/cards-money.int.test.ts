import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@citycard/core/db';
import { Amount } from '@citycard/core/money';
import { startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import type { CardResult } from './card.schemas.js';
import { postShadowEntry, shadowBalance } from './shadow-balance.js';
import {
  atCounter,
  cashFor,
  getCard,
  hotlistFor,
  importStock,
  injector,
  issueCard,
  registerHolder,
  snapshot,
  type Counter,
  type Headers,
  type Inject,
} from './test-support.js';

const HOLD_DAYS = 7;

let t: IssuanceTestApp;
let inject: Inject;
let admin: Headers;
let supervisor: Headers;
let clerk: Counter;

beforeAll(async () => {
  // Sessions outlive the hold here: the hold test moves the clock past it and carries on.
  t = await startIssuanceTestApp({
    settings: { replacementHoldDays: HOLD_DAYS, sessionTtlSeconds: 30 * 86_400 },
  });
  inject = injector(t);
  admin = (await t.signIn('admin')).headers;
  supervisor = (await t.signIn('supervisor')).headers;
  clerk = await atCounter(t, admin, 'clerk', '500.00');
});
afterAll(async () => {
  await t?.close();
});

const fen = (n: bigint) => Amount.fromFen(n);

async function activeCardWith(balanceFen: bigint): Promise<CardResult> {
  const [uid] = await importStock(t, supervisor, 1);
  const holder = await registerHolder(t, clerk.headers);
  const card = await issueCard(t, clerk.headers, holder, uid ?? '');
  const res = await inject('POST', `/cards/${card.id}/activate`, clerk.headers);
  expect(res.statusCode, res.body).toBe(200);
  if (balanceFen > 0n) await entry(card.id, 'load', balanceFen);
  return res.json<CardResult>();
}

function entry(cardId: string, kind: 'load' | 'debit', n: bigint) {
  return withTransaction(t.deps.db, (tx) =>
    postShadowEntry(tx, { cardId, kind, amount: fen(n), reference: `test:${kind}` }),
  );
}

const balanceOf = async (cardId: string) => (await shadowBalance(t.deps.db, cardId)).toString();

async function expectedCash(headers: Headers): Promise<string> {
  const res = await inject('GET', '/drawers/current', headers);
  return res.json<{ expectedCash: string }>().expectedCash;
}

describe('replacing a card', () => {
  it('issues a stock card to the same holder and moves the balance only after the hold', async () => {
    const old = await activeCardWith(3_520n);
    await inject('POST', `/cards/${old.id}/report-lost`, clerk.headers);
    const [newUid] = await importStock(t, supervisor, 1);
    const cashBefore = await expectedCash(clerk.headers);
    const res = await inject('POST', `/cards/${old.id}/replace`, clerk.headers, {
      newUid,
      reason: 'Lost on the metro',
    });
    expect(res.statusCode, res.body).toBe(201);
    const { replaced, replacement, transfer } = res.json<{
      replaced: CardResult;
      replacement: CardResult;
      transfer: { holdUntil: string; releasedAt: string | null };
    }>();
    expect(replaced).toMatchObject({ state: 'replaced', replacedBy: replacement.id });
    expect(replacement).toMatchObject({
      uid: newUid,
      state: 'personalised',
      cardholderId: old.cardholderId,
      productCode: old.productCode,
      deposit: '20.00',
      replaces: old.id,
    });
    expect(replacement.cardNumber).not.toBe(old.cardNumber);
    const held = new Date(transfer.holdUntil).getTime() - t.deps.clock().getTime();
    expect(held).toBeGreaterThan((HOLD_DAYS * 86_400 - 60) * 1000);
    expect(transfer.releasedAt).toBeNull();
    // The deposit moved with the card: no cash changed hands.
    expect(await expectedCash(clerk.headers)).toBe(cashBefore);
    expect(await cashFor(t.deps.db, replacement.id)).toEqual([]);
    expect((await hotlistFor(t.deps.db, old.id)).map((h) => h.reason)).toEqual([
      'lost',
      'replaced',
    ]);
    expect(await hotlistFor(t.deps.db, replacement.id)).toEqual([]);

    const early = await inject('POST', `/cards/${old.id}/release-transfer`, clerk.headers);
    expect(early.json()).toMatchObject({ code: 'BALANCE_TRANSFER_HELD' });
    expect(await balanceOf(old.id)).toBe('35.20');

    // A tap made before the hotlist reached the bus arrives during the hold.
    await entry(old.id, 'debit', 520n);
    t.advanceClock(HOLD_DAYS * 86_400 + 1);
    const release = await inject('POST', `/cards/${old.id}/release-transfer`, clerk.headers);
    expect(release.statusCode, release.body).toBe(200);
    expect(release.json()).toMatchObject({ amount: '30.00', toCardId: replacement.id });
    expect(await balanceOf(old.id)).toBe('0.00');
    expect(await balanceOf(replacement.id)).toBe('30.00');
    const again = await inject('POST', `/cards/${old.id}/release-transfer`, clerk.headers);
    expect(again.json()).toMatchObject({ code: 'BALANCE_TRANSFER_NOT_PENDING' });
    const detail = await getCard(t, clerk.headers, replacement.id);
    expect(detail.transfers).toMatchObject([{ fromCardId: old.id, releasedAmount: '30.00' }]);
  });

  it('refuses to pay out a card a held balance is still on its way to', async () => {
    const old = await activeCardWith(1_000n);
    const [newUid] = await importStock(t, supervisor, 1);
    const res = await inject('POST', `/cards/${old.id}/replace`, clerk.headers, {
      newUid,
      reason: 'Damaged',
    });
    const replacement = res.json<{ replacement: CardResult }>().replacement;
    await inject('POST', `/cards/${replacement.id}/activate`, clerk.headers);
    const before = await snapshot(t.deps.db, replacement.id);
    const refund = await inject('POST', `/cards/${replacement.id}/refund`, clerk.headers);
    expect([refund.statusCode, refund.json<{ code: string }>().code]).toEqual([
      409,
      'BALANCE_TRANSFER_PENDING',
    ]);
    expect(await snapshot(t.deps.db, replacement.id)).toBe(before);
  });

  it('needs a blank stock card and a card that may be replaced', async () => {
    const frozen = await activeCardWith(0n);
    await inject('POST', `/cards/${frozen.id}/freeze`, clerk.headers);
    const [newUid] = await importStock(t, supervisor, 1);
    const illegal = await inject('POST', `/cards/${frozen.id}/replace`, clerk.headers, {
      newUid,
      reason: 'Damaged',
    });
    expect(illegal.json()).toMatchObject({ details: { from: 'frozen', command: 'replace' } });
    const other = await activeCardWith(0n);
    const before = await snapshot(t.deps.db, other.id);
    const used = await inject('POST', `/cards/${other.id}/replace`, clerk.headers, {
      newUid: frozen.uid,
      reason: 'Damaged',
    });
    expect(used.statusCode).toBe(409);
    expect(used.json()).toMatchObject({
      code: 'CARD_TRANSITION_ILLEGAL',
      details: { card: 'replacement', from: 'frozen' },
    });
    expect(await snapshot(t.deps.db, other.id)).toBe(before);
  });
});

describe('refunding a card', () => {
  it('pays exactly the deposit and the shadow balance out of the drawer', async () => {
    const card = await activeCardWith(1_234n);
    const cashBefore = await expectedCash(clerk.headers);
    const res = await inject('POST', `/cards/${card.id}/refund`, clerk.headers);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      card: { state: 'refunded' },
      paidOut: { deposit: '20.00', balance: '12.34', total: '32.34' },
    });
    expect(await cashFor(t.deps.db, card.id)).toEqual([
      { drawerId: clerk.drawerId, kind: 'deposit_taken', amount: '20.00' },
      { drawerId: clerk.drawerId, kind: 'deposit_refunded', amount: '-20.00' },
      { drawerId: clerk.drawerId, kind: 'balance_refunded', amount: '-12.34' },
    ]);
    const after = Amount.fromFen(BigInt(cashBefore.replace('.', '')) - 3_234n).toString();
    expect(await expectedCash(clerk.headers)).toBe(after);
    expect(await balanceOf(card.id)).toBe('0.00');
    expect((await hotlistFor(t.deps.db, card.id)).map((h) => [h.action, h.reason])).toEqual([
      ['add', 'refunded'],
    ]);
    const detail = await getCard(t, clerk.headers, card.id);
    expect(detail).toMatchObject({ depositHeld: false, shadowBalance: '0.00' });
    const twice = await inject('POST', `/cards/${card.id}/refund`, clerk.headers);
    expect(twice.json()).toMatchObject({ details: { from: 'refunded', command: 'refund' } });
  });

  it('needs an open drawer, and then changes nothing', async () => {
    const card = await activeCardWith(500n);
    const before = await snapshot(t.deps.db, card.id);
    const noDrawer = (await t.signIn('clerk')).headers;
    const res = await inject('POST', `/cards/${card.id}/refund`, noDrawer);
    expect(res.json()).toMatchObject({ code: 'DRAWER_NOT_OPEN' });
    expect(await snapshot(t.deps.db, card.id)).toBe(before);
  });
});

describe('cancelling a card', () => {
  it('lists a blank card by UID, with no cash and no drawer needed', async () => {
    const [uid] = await importStock(t, supervisor, 1);
    const { rows } = await t.deps.db.query<{ id: string }>('SELECT id FROM cards WHERE uid = $1', [
      uid,
    ]);
    const id = rows[0]?.id ?? '';
    const byClerk = await inject('POST', `/cards/${id}/cancel`, clerk.headers);
    expect(byClerk.statusCode).toBe(403);
    const res = await inject('POST', `/cards/${id}/cancel`, supervisor, { reason: 'Faulty chip' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ card: { state: 'cancelled' }, paidOut: { total: '0.00' } });
    expect(await hotlistFor(t.deps.db, id)).toMatchObject([
      { action: 'add', reason: 'cancelled', cardNumber: null },
    ]);
    const contract = await t.deps.db.query<{ uid: string }>(
      "SELECT uid FROM hotlist_contract WHERE uid = $1 AND reason = 'cancelled'",
      [uid],
    );
    expect(contract.rows).toHaveLength(1);
    expect(await getCard(t, supervisor, id)).toMatchObject({
      cardNumber: null,
      product: null,
      cardholder: null,
      depositHeld: false,
      shadowBalance: '0.00',
    });
  });

  it("pays a personalised card's deposit back through the supervisor's drawer", async () => {
    const desk = await atCounter(t, admin, 'supervisor', '100.00');
    const [uid] = await importStock(t, supervisor, 1);
    const holder = await registerHolder(t, desk.headers);
    const card = await issueCard(t, desk.headers, holder, uid ?? '', 'student');
    const res = await inject('POST', `/cards/${card.id}/cancel`, desk.headers);
    expect(res.json()).toMatchObject({ paidOut: { deposit: '20.00', total: '20.00' } });
    expect((await cashFor(t.deps.db, card.id)).map((m) => m.amount)).toEqual(['20.00', '-20.00']);
    expect(await expectedCash(desk.headers)).toBe('100.00');
  });
});

describe('the hotlist route', () => {
  it('serves entries after a version to supervisors, auditors and admins only', async () => {
    const card = await activeCardWith(0n);
    const start = await inject('GET', '/hotlist?limit=1', supervisor);
    const since = start.json<{ latestVersion: string }>().latestVersion;
    await inject('POST', `/cards/${card.id}/freeze`, clerk.headers);
    await inject('POST', `/cards/${card.id}/unfreeze`, clerk.headers);
    const auditor = (await t.signIn('auditor')).headers;
    const res = await inject('GET', `/hotlist?sinceVersion=${since}&limit=5000`, auditor);
    expect(res.statusCode).toBe(200);
    const mine = res
      .json<{ entries: { cardNumber: string; action: string; reason: string }[] }>()
      .entries.filter((e) => e.cardNumber === card.cardNumber);
    expect(mine.map((e) => [e.action, e.reason])).toEqual([
      ['add', 'frozen'],
      ['remove', 'unfrozen'],
    ]);
    expect((await inject('GET', '/hotlist', admin)).statusCode).toBe(200);
    expect((await inject('GET', '/hotlist', clerk.headers)).statusCode).toBe(403);
    const bad = await inject('GET', '/hotlist?sinceVersion=-1', supervisor);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
