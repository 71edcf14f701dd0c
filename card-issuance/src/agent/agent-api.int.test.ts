import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '@citycard/core/card';
import {
  atCounter,
  importStock,
  injector,
  issueCard,
  registerHolder,
  type Counter,
  type Headers,
} from '../cards/test-support.js';
import { blankCard, requestPersonalisation } from '../personalisation/test-support.js';
import { ensureTestMasterKeys } from '../testing/card-keys.js';
import { startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import {
  counterOfDrawer,
  makeTestPki,
  randomAgentId,
  registerAgent,
  startAgentListener,
  type AgentClient,
  type RunningAgentListener,
  type TestPki,
} from './test-support.js';

let t: IssuanceTestApp;
let pki: TestPki;
let api: RunningAgentListener;
let admin: Headers;
let clerk: Counter;
let counterId: string;
let agentId: string;
let agent: AgentClient;
let holderId: string;

beforeAll(async () => {
  t = await startIssuanceTestApp();
  await ensureTestMasterKeys(t.deps);
  pki = makeTestPki();
  api = await startAgentListener(t, pki);
  admin = (await t.signIn('admin')).headers;
  clerk = await atCounter(t, admin);
  counterId = await counterOfDrawer(t.deps.db, clerk.drawerId);
  agentId = randomAgentId();
  await registerAgent(t, admin, agentId, counterId);
  agent = api.client(pki.issue(agentId));
  holderId = await registerHolder(t, clerk.headers);
});
afterAll(async () => {
  await api.close();
  await t.close();
});

async function plannedCard(): Promise<{ id: string; uid: string; planId: string }> {
  const [uid] = await importStock(t, admin, 1);
  const card = await issueCard(t, clerk.headers, holderId, uid ?? '');
  const planned = await requestPersonalisation(t, clerk.headers, card.id, agentId);
  return { id: card.id, uid: card.uid, planId: planned.planId };
}

const planUrl = (p: { planId: string; uid: string }) => `/v1/agent/plans/${p.planId}?uid=${p.uid}`;

async function expectRefused(client: AgentClient, url: string, status: number, code: string) {
  const res = await client.get(url);
  expect(res.status, code).toBe(status);
  expect(res.json()).toMatchObject({ code });
  expect(JSON.stringify(res.json())).not.toContain('"steps"');
}

describe('the agent listener (mutual TLS)', () => {
  it('hands a plan to its agent only, for its card only', async () => {
    const p = await plannedCard();
    const res = await agent.get(planUrl(p));
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ planId: p.planId, uid: p.uid, purpose: 'personalise' });
    await expectRefused(
      agent,
      `/v1/agent/plans/${p.planId}?uid=01020304050607`,
      409,
      'PLAN_WRONG_CARD',
    );
  });

  it('refuses a client without a certificate', async () => {
    const p = await plannedCard();
    await expectRefused(api.client(), planUrl(p), 401, 'UNAUTHENTICATED');
  });

  it('refuses a certificate from another CA', async () => {
    const p = await plannedCard();
    const stranger = makeTestPki().issue(agentId);
    await expectRefused(api.client(stranger), planUrl(p), 401, 'CERT_INVALID');
  });

  it('refuses a revoked certificate, from the next request on', async () => {
    const p = await plannedCard();
    const creds = pki.issue(agentId);
    const client = api.client(creds);
    expect((await client.get(planUrl(p))).status).toBe(200);
    pki.revoked.add(creds.serial);
    await expectRefused(client, planUrl(p), 401, 'CERT_REVOKED');
  });

  it('refuses a certificate of another role', async () => {
    const p = await plannedCard();
    await expectRefused(api.client(pki.issue(agentId, 'terminal')), planUrl(p), 403, 'FORBIDDEN');
  });

  it('refuses an agent that is not registered, or disabled', async () => {
    const p = await plannedCard();
    await expectRefused(
      api.client(pki.issue(randomAgentId())),
      planUrl(p),
      403,
      'AGENT_NOT_REGISTERED',
    );
    const other = randomAgentId();
    await registerAgent(t, admin, other, counterId);
    const off = await injector(t)('POST', `/reader-agents/${other}/disable`, admin);
    expect(off.statusCode).toBe(200);
    await expectRefused(api.client(pki.issue(other)), planUrl(p), 403, 'AGENT_DISABLED');
    await expect(requestPersonalisation(t, clerk.headers, p.id, other)).rejects.toThrow(
      /AGENT_DISABLED/,
    );
  });

  it("never hands a plan to another counter's agent", async () => {
    const p = await plannedCard();
    const elsewhere = await atCounter(t, admin);
    const otherAgent = randomAgentId();
    await registerAgent(t, admin, otherAgent, await counterOfDrawer(t.deps.db, elsewhere.drawerId));
    await expectRefused(api.client(pki.issue(otherAgent)), planUrl(p), 404, 'PLAN_NOT_FOUND');
    // Nor may a clerk plan for an agent that stands at another counter.
    await expect(requestPersonalisation(t, clerk.headers, p.id, otherAgent)).rejects.toThrow(
      /AGENT_OTHER_COUNTER/,
    );
  });

  it('lets a plan expire; a fetched plan may still be reported late', async () => {
    const late = await plannedCard();
    const fetched = await agent.get(planUrl(late));
    expect(fetched.status).toBe(200);
    const expired = await plannedCard();
    t.advanceClock(t.deps.settings.planTtlSeconds + 1);
    await expectRefused(agent, planUrl(expired), 410, 'PLAN_EXPIRED');
    const report = await runPlan(blankCard(late.uid), fetched.json());
    const answered = await agent.post(`/v1/agent/plans/${late.planId}/report`, report);
    expect(answered.status).toBe(200);
    expect(answered.json()).toMatchObject({ status: 'accepted' });
  });

  it('makes read plans only for cards issuance personalised', async () => {
    const p = await plannedCard();
    const res = await agent.post('/v1/agent/reads', { uid: p.uid });
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CARD_NOT_PERSONALISED' });
    const unknown = await agent.post('/v1/agent/reads', { uid: '0A0B0C0D' });
    expect(unknown.status).toBe(404);
  });

  it('lists and re-enables agents for staff', async () => {
    const list = await injector(t)('GET', '/reader-agents', admin);
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: { id: string }[] }>().items.map((a) => a.id)).toContain(agentId);
    const dup = await injector(t)('POST', '/reader-agents', admin, { id: agentId, counterId });
    expect(dup.statusCode).toBe(409);
  });
});
