import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildTrailer,
  runPlan,
  TRANSPORT_KEY,
  VirtualClassicCard,
  type CardPlan,
  type PlanReport,
} from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import { startReaderAgent, type RunningReaderAgent } from './reader-agent.js';
import { call, openEvents, type SseClient } from './test-client.js';
import { VirtualReaderHub, type VirtualReader } from '../virtual/index.js';
import { captureLog, FakeIssuance } from './test-support.js';

const UID = Buffer.from('A1B2C3D4', 'hex');
const KEY_A = '5A17C0FFEE01';
const KEY_B = 'B0B0CAFE4242';
const ACCESS = { data: [4, 4, 4], trailer: 3 } as const;

/** Sector 1: write a data block, give the sector its own keys, read back with the new key B. */
function personalisePlan(planId = randomUUID()): CardPlan {
  const trailer = buildTrailer({
    keyA: Buffer.from(KEY_A, 'hex'),
    keyB: Buffer.from(KEY_B, 'hex'),
    access: ACCESS,
    gpb: 0x69,
  });
  const data = '0102030405060708090A0B0C0D0E0F10';
  return {
    planId,
    uid: 'A1B2C3D4',
    purpose: 'personalise',
    steps: [
      { op: 'auth', block: 4, keyType: 'A', key: TRANSPORT_KEY.toString('hex').toUpperCase() },
      { op: 'write', block: 4, data },
      { op: 'write', block: 7, data: trailer.toString('hex').toUpperCase() },
      { op: 'auth', block: 4, keyType: 'B', key: KEY_B },
      { op: 'read', block: 4, expect: data },
      { op: 'read', block: 7 },
    ],
  };
}

describe('card sessions through the local API', () => {
  let dir: string;
  let hub: VirtualReaderHub;
  let reader: VirtualReader;
  let issuance: FakeIssuance;
  let agent: RunningReaderAgent;
  let logs: ReturnType<typeof captureLog>;
  let events: SseClient | undefined;
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${agent.token}` });
  const post = (path: string) => call(agent.port, path, { method: 'POST', headers: auth() });

  async function start(): Promise<void> {
    agent = await startReaderAgent({
      hub,
      issuance,
      runPlan: (card, plan) => runPlan(card, plan),
      log: logs.log,
      port: 0,
      allowedOrigins: ['http://localhost:5173'],
      tokenFile: join(dir, 'token'),
      spoolFile: join(dir, 'reports.json'),
      reportRetryMinMs: 50,
    });
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reader-agent-'));
    logs = captureLog();
    hub = new VirtualReaderHub();
    reader = hub.plug('Reader A');
    issuance = new FakeIssuance();
    await start();
  });

  afterEach(async () => {
    events?.close();
    events = undefined;
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('streams readers and cards as they come and go', async () => {
    events = await openEvents(agent.port, agent.token, 'http://localhost:5173');
    await events.next((e) => e.event === 'reader' && e.data.name === 'Reader A');
    reader.insert(VirtualClassicCard.blank(UID));
    const card = await events.next((e) => e.event === 'card');
    expect(card.data).toEqual({
      reader: 'Reader A',
      uid: 'A1B2C3D4',
      kind: 'mifare-classic-1k',
      atr: '3B8F8001804F0CA000000306030001000000006A',
    });
    hub.plug('Reader B');
    await events.next((e) => e.event === 'reader' && e.data.name === 'Reader B');
    reader.remove();
    await events.next((e) => e.event === 'cardRemoved' && e.data.uid === 'A1B2C3D4');
    hub.unplug('Reader B');
    await events.next((e) => e.event === 'readerRemoved' && e.data.name === 'Reader B');
    const list = await call(agent.port, '/v1/readers', { headers: auth() });
    expect(list.json<unknown>()).toEqual([{ name: 'Reader A', card: null }]);
  });

  it('refuses the event stream without the token', async () => {
    await expect(openEvents(agent.port, 'nope')).rejects.toThrow('401');
  });

  it('runs a plan, reports it, wipes its keys, and never logs or returns them', async () => {
    const card = VirtualClassicCard.blank(UID);
    reader.insert(card);
    const plan = personalisePlan();
    issuance.plans.set(plan.planId, plan);
    events = await openEvents(agent.port, agent.token);
    const res = await post(`/v1/readers/Reader%20A/plans/${plan.planId}`);
    expect(res.status).toBe(200);
    const body = res.json<{ status: string; report: PlanReport }>();
    expect(body.status).toBe('accepted');
    expect(body.report.outcome).toBe('completed');
    expect(body.report.completedSteps).toBe(6);
    // The console does not see trailer read-backs; issuance does.
    expect(body.report.steps[5]?.data).toBeUndefined();
    expect(issuance.reports[0]?.steps[5]?.data).toMatch(/^0{12}/);
    await events.next((e) => e.event === 'planProgress' && e.data.index === 5);
    const progress = events.events.filter((e) => e.event === 'planProgress');
    expect(progress.map((e) => e.data.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(progress[0]?.data).toMatchObject({ planId: plan.planId, index: 0, total: 6 });
    // The sector now answers to the new key B only.
    await expect(card.authenticate(4, 'B', Buffer.from(KEY_B, 'hex'))).resolves.toBeUndefined();
    const wiped = issuance.wiped[0];
    expect(wiped?.steps.every((s) => s.op !== 'auth' || s.key === '000000000000')).toBe(true);
    for (const key of [KEY_A, KEY_B]) {
      for (const text of [logs.text(), res.text, JSON.stringify(events.events)]) {
        expect(text.toUpperCase()).not.toContain(key);
      }
    }
    expect(logs.text()).toContain('plan finished');
  });

  it('runs issuance read plans and answers issuance verdict', async () => {
    reader.insert(VirtualClassicCard.blank(UID));
    issuance.readPlan = {
      planId: randomUUID(),
      uid: 'A1B2C3D4',
      purpose: 'read',
      steps: [
        { op: 'auth', block: 4, keyType: 'A', key: 'FFFFFFFFFFFF' },
        { op: 'read', block: 4 },
      ],
    };
    const res = await post('/v1/readers/Reader%20A/read');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ planId: issuance.readPlan.planId, status: 'accepted' });
  });

  it('answers READER_NOT_FOUND, NO_CARD_PRESENT, CARD_UNSUPPORTED and bad plan ids', async () => {
    const planId = randomUUID();
    const unknown = await post(`/v1/readers/Nope/plans/${planId}`);
    expect([unknown.status, unknown.json().code]).toEqual([404, 'READER_NOT_FOUND']);
    const empty = await post(`/v1/readers/Reader%20A/plans/${planId}`);
    expect([empty.status, empty.json().code]).toEqual([409, 'NO_CARD_PRESENT']);
    const badId = await post('/v1/readers/Reader%20A/plans/not-a-uuid');
    expect([badId.status, badId.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    reader.insert({
      uid: Buffer.from('04112233445566', 'hex'),
      atr: Buffer.alloc(4),
      kind: 'iso14443-4',
    });
    const phone = await post('/v1/readers/Reader%20A/read');
    expect([phone.status, phone.json().code]).toEqual([422, 'CARD_UNSUPPORTED']);
  });

  it('runs one session per reader at a time (READER_BUSY)', async () => {
    reader.insert(VirtualClassicCard.blank(UID));
    const plan = personalisePlan();
    issuance.plans.set(plan.planId, plan);
    let release!: () => void;
    issuance.gate = new Promise((resolve) => (release = resolve));
    const first = post(`/v1/readers/Reader%20A/plans/${plan.planId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await post(`/v1/readers/Reader%20A/plans/${plan.planId}`);
    expect([second.status, second.json().code]).toEqual([409, 'READER_BUSY']);
    expect(second.json().retryable).toBe(true);
    release();
    expect((await first).status).toBe(200);
  });

  it('lets a session in progress finish when it stops', async () => {
    reader.insert(VirtualClassicCard.blank(UID));
    const plan = personalisePlan();
    issuance.plans.set(plan.planId, plan);
    let release!: () => void;
    issuance.gate = new Promise((resolve) => (release = resolve));
    const running = post(`/v1/readers/Reader%20A/plans/${plan.planId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = agent.close();
    release();
    const res = await running;
    expect(res.status).toBe(200);
    await stopped;
    expect(issuance.reports.map((r) => r.outcome)).toEqual(['completed']);
  });

  it('keeps a report issuance did not take, on disk, and resends it', async () => {
    reader.insert(VirtualClassicCard.blank(UID));
    const plan = personalisePlan();
    issuance.plans.set(plan.planId, plan);
    let down = true;
    issuance.reportHook = () =>
      down
        ? Promise.reject(new AppError('SERVICE_UNAVAILABLE', { details: { reason: 'network' } }))
        : Promise.resolve();
    events = await openEvents(agent.port, agent.token);
    const res = await post(`/v1/readers/Reader%20A/plans/${plan.planId}`);
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'AGENT_REPORT_PENDING',
      details: { planId: plan.planId, outcome: 'completed', completedSteps: 6 },
    });
    const spooled = JSON.parse(await readFile(join(dir, 'reports.json'), 'utf8')) as PlanReport[];
    expect(spooled.map((r) => r.planId)).toEqual([plan.planId]);
    expect(JSON.stringify(spooled)).not.toContain(KEY_B);
    down = false;
    const delivered = await events.next((e) => e.event === 'report', 3_000);
    expect(delivered.data).toEqual({ planId: plan.planId, status: 'accepted' });
    expect(issuance.reports.map((r) => r.planId)).toEqual([plan.planId]);
    expect(JSON.parse(await readFile(join(dir, 'reports.json'), 'utf8'))).toEqual([]);
  });

  it('resends reports left in the spool by an earlier run', async () => {
    await agent.close();
    const report: PlanReport = {
      planId: randomUUID(),
      uid: 'A1B2C3D4',
      outcome: 'card_removed',
      completedSteps: 1,
      steps: [
        { index: 0, op: 'auth', block: 4, status: 'done' },
        {
          index: 1,
          op: 'write',
          block: 4,
          status: 'failed',
          error: { code: 'CARD_REMOVED', message: 'gone' },
        },
      ],
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
    };
    await writeFile(join(dir, 'reports.json'), JSON.stringify([report]));
    await start();
    expect(agent.spool.list()).toHaveLength(1);
    await expect.poll(() => issuance.reports.length, { timeout: 3_000 }).toBe(1);
    expect(issuance.reports[0]).toEqual(report);
  });

  it('passes issuance refusals on under their code', async () => {
    reader.insert(VirtualClassicCard.blank(UID));
    issuance.fetchPlan = () =>
      Promise.reject(new AppError('NOT_FOUND', { message: 'No pending plan for this card' }));
    const res = await post(`/v1/readers/Reader%20A/plans/${randomUUID()}`);
    expect([res.status, res.json().code, res.json().message]).toEqual([
      404,
      'NOT_FOUND',
      'No pending plan for this card',
    ]);
    // The reader is free again.
    issuance.readPlan = personalisePlan();
    expect((await post('/v1/readers/Reader%20A/read')).status).toBe(200);
  });
});
