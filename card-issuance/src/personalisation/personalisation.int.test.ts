import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeIssuerInfo,
  runPlan,
  toHex,
  type ClassicCardIo,
  type VirtualClassicCard,
} from '@citycard/core/card';
import {
  counterOfDrawer,
  makeTestPki,
  randomAgentId,
  registerAgent,
  startAgentListener,
  type AgentClient,
  type RunningAgentListener,
} from '../agent/test-support.js';
import {
  atCounter,
  auditActions,
  cashFor,
  getCard,
  importStock,
  issueCard,
  registerHolder,
  type Counter,
  type Headers,
} from '../cards/test-support.js';
import { withTransaction } from '@citycard/core/db';
import { keyRing } from '../keys/key-ring.js';
import { rotateMasterKeys } from '../keys/master-keys.js';
import { ensureTestMasterKeys } from '../testing/card-keys.js';
import { startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import { blankCard, readAsAgent, requestPersonalisation, runAsAgent } from './test-support.js';

let t: IssuanceTestApp;
let api: RunningAgentListener;
let admin: Headers;
let clerk: Counter;
let agent: AgentClient;
let agentId: string;
let holderId: string;

beforeAll(async () => {
  t = await startIssuanceTestApp();
  await ensureTestMasterKeys(t.deps);
  const pki = makeTestPki();
  api = await startAgentListener(t, pki);
  admin = (await t.signIn('admin')).headers;
  clerk = await atCounter(t, admin);
  agentId = randomAgentId();
  await registerAgent(t, admin, agentId, await counterOfDrawer(t.deps.db, clerk.drawerId));
  agent = api.client(pki.issue(agentId));
  holderId = await registerHolder(t, clerk.headers);
});
afterAll(async () => {
  await api.close();
  await t.close();
});

async function issuedCard(): Promise<{ id: string; uid: string }> {
  const [uid] = await importStock(t, admin, 1);
  const card = await issueCard(t, clerk.headers, holderId, uid ?? '');
  return { id: card.id, uid: card.uid };
}

/** Every key a card of this uid has, and every master key, as hex in either case. */
async function keyTexts(uid: string, version: number): Promise<string[]> {
  const ring = keyRing(t.deps);
  const keys = await ring.cardKeys(uid, version);
  const masters = await ring.masterKeys(version);
  const all = [keys.purseMacKey, masters.purseMacMaster];
  for (let s = 0; s < 16; s++) {
    all.push(keys.sector(s).keyA, keys.sector(s).keyB);
    all.push(masters.sectorMaster(s, 'A'), masters.sectorMaster(s, 'B'));
  }
  const texts = all.map(toHex).filter((h) => h !== 'FFFFFFFFFFFF' && h !== 'A0A1A2A3A4A5');
  return texts.flatMap((h) => [h, h.toLowerCase()]);
}

async function readIssuerBlock(card: VirtualClassicCard, uid: string, version: number) {
  const keys = await keyRing(t.deps).cardKeys(uid, version);
  card.present();
  await card.authenticate(4, 'A', keys.sector(1).keyA);
  return decodeIssuerInfo(await card.readBlock(4), await card.readBlock(5));
}

describe('personalisation through a reader agent', () => {
  it('personalises a blank card: read-back accepted, card active, deposit in the drawer', async () => {
    const { id, uid } = await issuedCard();
    const vc = blankCard(uid);
    const planned = await requestPersonalisation(t, clerk.headers, id, agentId);
    expect(planned).toMatchObject({ uid, purpose: 'personalise' });

    const run = await runAsAgent(agent, planned.planId, vc);
    expect(run.report.outcome).toBe('completed');
    expect(run.answer).toMatchObject({
      planId: planned.planId,
      status: 'accepted',
      card: {
        cardId: id,
        state: 'active',
        balance: '0.00',
        shadowBalance: '0.00',
        mismatch: false,
      },
    });

    const detail = await getCard(t, clerk.headers, id);
    expect(detail.state).toBe('active');
    expect(await cashFor(t.deps.db, id)).toEqual([
      { drawerId: clerk.drawerId, kind: 'deposit_taken', amount: '20.00' },
    ]);
    const version = await keyRing(t.deps).latestVersion(t.deps.db);
    const issuer = await readIssuerBlock(vc, uid, version);
    expect(issuer).toMatchObject({
      cardNumber: detail.cardNumber,
      status: 'active',
      keyVersion: version,
    });
    expect(issuer.expiresOn).toBe(detail.expiresOn);

    const read = await readAsAgent(agent, vc);
    expect(read.answer.card).toMatchObject({
      cardId: id,
      balance: '0.00',
      purseCounter: 0,
      mismatch: false,
    });

    expect(await auditActions(t.deps.db, id)).toEqual([
      'card.issue',
      'card.personalisation_planned',
      'card.personalised',
      'card.activate',
      'card.read',
    ]);
    const logs = t.logs();
    for (const text of await keyTexts(uid, version)) expect(logs).not.toContain(text);
  });

  it('answers the same report again with the same answer, and refuses a different one', async () => {
    const { id, uid } = await issuedCard();
    const planned = await requestPersonalisation(t, clerk.headers, id, agentId);
    const run = await runAsAgent(agent, planned.planId, blankCard(uid));
    const again = await agent.post(`/v1/agent/plans/${planned.planId}/report`, run.report);
    expect(again.status).toBe(200);
    expect(again.json()).toEqual(run.answer);
    const other = await agent.post(`/v1/agent/plans/${planned.planId}/report`, {
      ...run.report,
      finishedAt: new Date(Date.now() + 1000).toISOString(),
    });
    expect(other.status).toBe(409);
    expect(other.json()).toMatchObject({ code: 'PLAN_ALREADY_REPORTED' });
    const refetch = await agent.get(`/v1/agent/plans/${planned.planId}?uid=${uid}`);
    expect(refetch.status).toBe(409);
  });

  it('leaves a card not started when nothing reached it, and ignores another card', async () => {
    const { id, uid } = await issuedCard();
    const vc = blankCard(uid);
    vc.remove();
    const first = await requestPersonalisation(t, clerk.headers, id, agentId);
    const gone = await runAsAgent(agent, first.planId, vc);
    expect(gone.report.outcome).toBe('card_removed');
    const other = await issuedCard();
    const second = await requestPersonalisation(t, clerk.headers, id, agentId);
    expect(second.purpose).toBe('personalise');
    const fetched = await agent.get(`/v1/agent/plans/${second.planId}?uid=${uid}`);
    const wrong = await runPlan(blankCard(other.uid), fetched.json());
    expect(wrong.outcome).toBe('wrong_card');
    const answered = await agent.post(`/v1/agent/plans/${second.planId}/report`, wrong);
    expect(answered.json()).toMatchObject({ status: 'rejected' });
    const status = await t.app.inject({
      method: 'GET',
      url: `/cards/${id}/personalisation`,
      headers: clerk.headers,
    });
    expect(status.json()).toMatchObject({ status: 'not_started', keyedSectors: [] });
  });

  it('refuses to plan an active card or a card still in stock', async () => {
    const [stockUid] = await importStock(t, admin, 1);
    const { rows } = await t.deps.db.query<{ id: string }>(
      'SELECT id FROM issuance.cards WHERE uid = $1',
      [stockUid],
    );
    const res = await t.app.inject({
      method: 'POST',
      url: `/cards/${rows[0]?.id ?? ''}/personalisation`,
      headers: clerk.headers,
      payload: { agentId },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CARD_NOT_ISSUED' });
  });
});

describe('key rotation', () => {
  it('gives new cards the new version; cards keep working on the version they carry', async () => {
    const old = await issuedCard();
    const oldCard = blankCard(old.uid);
    await runAsAgent(
      agent,
      (await requestPersonalisation(t, clerk.headers, old.id, agentId)).planId,
      oldCard,
    );
    const cut = await issuedCard();
    const cutCard = blankCard(cut.uid);
    cutCard.tearAfter(30);
    await runAsAgent(
      agent,
      (await requestPersonalisation(t, clerk.headers, cut.id, agentId)).planId,
      cutCard,
    );

    const before = await keyRing(t.deps).latestVersion(t.deps.db);
    await withTransaction(t.deps.db, (tx) =>
      rotateMasterKeys(tx, t.deps.cardKeyKek, { now: new Date(), note: 'test rotation' }),
    );
    const after = await keyRing(t.deps).latestVersion(t.deps.db);
    expect(after).toBeGreaterThan(before);

    const fresh = await issuedCard();
    const freshCard = blankCard(fresh.uid);
    await runAsAgent(
      agent,
      (await requestPersonalisation(t, clerk.headers, fresh.id, agentId)).planId,
      freshCard,
    );
    expect((await readIssuerBlock(freshCard, fresh.uid, after)).keyVersion).toBe(after);

    // The card cut before the rotation is recovered with the keys it was started with.
    cutCard.present();
    const recovered = await runAsAgent(
      agent,
      (await requestPersonalisation(t, clerk.headers, cut.id, agentId)).planId,
      cutCard,
    );
    expect(recovered.answer.status).toBe('accepted');
    expect((await readIssuerBlock(cutCard, cut.uid, before)).keyVersion).toBe(before);
    const read = await readAsAgent(agent, oldCard);
    expect(read.answer).toMatchObject({
      status: 'accepted',
      card: { cardId: old.id, mismatch: false },
    });
  });
});

describe('a card pulled half way is recovered', () => {
  // Step counts into a 64-step plan: data writes, trailers, read-back.
  for (const pullAfter of [1, 2, 9, 23, 24, 26, 30, 35, 36, 40, 63]) {
    it(`pulled after ${pullAfter} commands`, async () => {
      const { id, uid } = await issuedCard();
      const vc = blankCard(uid);
      const first = await requestPersonalisation(t, clerk.headers, id, agentId);
      vc.tearAfter(pullAfter);
      const cut = await runAsAgent(agent, first.planId, vc);
      expect(cut.report.outcome).toBe('card_removed');
      expect(cut.answer.status).toBe('rejected');
      const status = await t.app.inject({
        method: 'GET',
        url: `/cards/${id}/personalisation`,
        headers: clerk.headers,
      });
      const state = status.json<{ status: string; keyedSectors: number[] }>();
      // Even after one command a write was in flight when the card left: it may have landed.
      expect(state.status).toBe('in_progress');
      const keys = await keyRing(t.deps).cardKeys(
        uid,
        await keyRing(t.deps).latestVersion(t.deps.db),
      );
      const onCard = [0, 1, 2, 3, 4, 5].filter((s) =>
        vc.image()[s * 4 + 3]?.subarray(10, 16).equals(keys.sector(s).keyB),
      );
      expect(state.keyedSectors).toEqual(onCard);

      vc.present();
      const again = await requestPersonalisation(t, clerk.headers, id, agentId);
      expect(again.purpose).toBe(state.status === 'in_progress' ? 'recover' : 'personalise');
      const done = await runAsAgent(agent, again.planId, vc);
      expect(done.answer).toMatchObject({ status: 'accepted', card: { state: 'active' } });
    });
  }

  for (const applied of [true, false]) {
    it(`recovers from trailer writes cut by removal (${applied ? 'applied' : 'lost'})`, async () => {
      const { id, uid } = await issuedCard();
      const vc = blankCard(uid);
      const first = await requestPersonalisation(t, clerk.headers, id, agentId);
      const cut = await runAsAgent(agent, first.planId, cutAtTrailer(vc, 2, applied));
      expect(cut.report.outcome).toBe('card_removed');
      vc.present();
      const second = await requestPersonalisation(t, clerk.headers, id, agentId);
      expect(second.purpose).toBe('recover');
      const cutAgain = await runAsAgent(agent, second.planId, cutAtTrailer(vc, 4, !applied));
      expect(cutAgain.report.outcome).toBe('card_removed');
      vc.present();
      const third = await requestPersonalisation(t, clerk.headers, id, agentId);
      const done = await runAsAgent(agent, third.planId, vc);
      expect(done.answer).toMatchObject({ status: 'accepted', card: { state: 'active' } });
    });
  }
});

/** The card, except that the write of `sector`'s trailer is cut by removal. */
function cutAtTrailer(vc: VirtualClassicCard, sector: number, applied: boolean): ClassicCardIo {
  return {
    identity: vc.identity,
    authenticate: (block, keyType, key) => vc.authenticate(block, keyType, key),
    readBlock: (block) => vc.readBlock(block),
    writeBlock: (block, data) => {
      if (block === sector * 4 + 3) vc.tearDuringNextWrite(applied);
      return vc.writeBlock(block, data);
    },
  };
}
