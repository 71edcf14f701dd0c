import {
  runPlan,
  type ClassicCardIo,
  VirtualClassicCard,
  type CardPlan,
  type PlanReport,
} from '@citycard/core/card';
import type { ReportAnswer } from '../agent/agent.schemas.js';
import type { AgentClient } from '../agent/test-support.js';
import { injector, type Headers } from '../cards/test-support.js';
import type { IssuanceTestApp } from '../testing/harness.js';

export interface Planned {
  readonly planId: string;
  readonly uid: string;
  readonly purpose: 'personalise' | 'recover';
  readonly expiresAt: string;
}

export async function requestPersonalisation(
  t: IssuanceTestApp,
  headers: Headers,
  cardId: string,
  agentId: string,
): Promise<Planned> {
  const res = await injector(t)('POST', `/cards/${cardId}/personalisation`, headers, {
    agentId,
  });
  if (res.statusCode !== 201) throw new Error(`personalisation: ${res.statusCode} ${res.body}`);
  return res.json<Planned>();
}

export interface AgentRun {
  readonly plan: CardPlan;
  readonly report: PlanReport;
  readonly answer: ReportAnswer;
}

/** What a reader agent does with a plan id: fetch, run on the card in its reader, report. */
export async function runAsAgent(
  client: AgentClient,
  planId: string,
  card: ClassicCardIo,
): Promise<AgentRun> {
  const uid = card.identity.uid.toString('hex').toUpperCase();
  const fetched = await client.get(`/v1/agent/plans/${planId}?uid=${uid}`);
  if (fetched.status !== 200)
    throw new Error(`fetch: ${fetched.status} ${JSON.stringify(fetched.json())}`);
  const plan = fetched.json<CardPlan>();
  const report = await runPlan(card, plan);
  const answered = await client.post(`/v1/agent/plans/${planId}/report`, report);
  if (answered.status !== 200)
    throw new Error(`report: ${answered.status} ${JSON.stringify(answered.json())}`);
  return { plan, report, answer: answered.json<ReportAnswer>() };
}

/** The read an agent makes of the card in its reader: a read plan, run and reported. */
export async function readAsAgent(
  client: AgentClient,
  card: VirtualClassicCard,
): Promise<AgentRun> {
  const uid = card.identity.uid.toString('hex').toUpperCase();
  const created = await client.post('/v1/agent/reads', { uid });
  if (created.status !== 201)
    throw new Error(`read: ${created.status} ${JSON.stringify(created.json())}`);
  const plan = created.json<CardPlan>();
  const report = await runPlan(card, plan);
  const answered = await client.post(`/v1/agent/plans/${plan.planId}/report`, report);
  if (answered.status !== 200)
    throw new Error(`report: ${answered.status} ${JSON.stringify(answered.json())}`);
  return { plan, report, answer: answered.json<ReportAnswer>() };
}

export const blankCard = (uid: string): VirtualClassicCard =>
  VirtualClassicCard.blank(Buffer.from(uid, 'hex'));
