import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentApp, type AgentListener } from '@citycard/card-issuance/agent';
import { residentIdCheckCharacter } from '@citycard/card-issuance/cardholders';
import {
  ensureTestMasterKeys,
  startIssuanceTestApp,
  type IssuanceTestApp,
} from '@citycard/card-issuance/testing';
import { runPlan, VirtualClassicCard, type CardPlan } from '@citycard/core/card';
import {
  createCa,
  createKeyAndCsr,
  issueCertificate,
  issueServerCertificate,
} from '@citycard/core/crypto';
import { createLogger } from '@citycard/core/logging';
import {
  IssuanceClient,
  startReaderAgent,
  type CardSnapshot,
  type RunningReaderAgent,
} from '@citycard/reader-agent/daemon';
import { VirtualReaderHub } from '@citycard/reader-agent/virtual';

type Headers = Record<string, string>;

const READER = 'Counter Reader 1';
const CONSOLE = 'http://localhost:5173';

interface LocalAnswer {
  readonly status: number;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/** The counter console's side: the agent's local API on loopback with its bearer token. */
function consoleCall(
  agent: RunningReaderAgent,
  method: string,
  path: string,
): Promise<LocalAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: agent.port,
        path,
        method,
        headers: {
          host: `localhost:${agent.port}`,
          origin: CONSOLE,
          authorization: `Bearer ${agent.token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text, json: <T>() => JSON.parse(text) as T });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function residentId(): string {
  const body = `310101${'1985'}0307${String(randomInt(0, 999)).padStart(3, '0')}`;
  return body + residentIdCheckCharacter(body);
}

let t: IssuanceTestApp;
let listener: AgentListener;
let agent: RunningReaderAgent;
let hub: VirtualReaderHub;
let dir: string;
let clerk: Headers;
let admin: Headers;
let agentId: string;
const agentLog: string[] = [];
/** Every key a plan handed to the card carried, and the plan objects, to check the wipe. */
const keysSeen = new Set<string>();
const plansRun: CardPlan[] = [];

async function inject(
  method: 'GET' | 'POST',
  url: string,
  headers: Headers,
  payload?: unknown,
): Promise<{ status: number; json<T = Record<string, unknown>>(): T; body: string }> {
  const res = await t.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, json: <T>() => res.json<T>(), body: res.body };
}

async function created(
  method: 'POST',
  url: string,
  headers: Headers,
  payload: unknown,
): Promise<Record<string, unknown>> {
  const res = await inject(method, url, headers, payload);
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${res.body}`);
  return res.json();
}

/** A branch with one counter, a clerk signed in there with an open drawer, and our agent registered. */
async function setUpCounter(): Promise<void> {
  admin = (await t.signIn('admin')).headers;
  const code = randomBytes(4).toString('hex').toUpperCase();
  const branch = await created('POST', '/branches', admin, {
    code: `B${code}`,
    name: 'Reader agent branch',
    address: '1 People Square',
  });
  const branchId = branch.id as string;
  const counter = await created('POST', `/branches/${branchId}/counters`, admin, {
    code: `C${code}`,
    name: 'Counter 1',
  });
  const counterId = counter.id as string;
  clerk = (await t.signIn('clerk', { branchId, counterId })).headers;
  await created('POST', '/drawers/open', clerk, { counterId, openingFloat: '500.00' });
  await created('POST', '/reader-agents', admin, { id: agentId, counterId });
}

/** A stock card issued to a new cardholder; its chip is still blank. */
async function issuedCard(uid: string): Promise<string> {
  await created('POST', '/stock/batches', admin, [uid]);
  const number = residentId();
  const holder = await created('POST', '/cardholders', clerk, {
    name: `持卡人 ${randomBytes(3).toString('hex')}`,
    document: { type: 'resident_id', number },
    dateOfBirth: '1985-03-07',
  });
  const card = await created('POST', '/cards/issue', clerk, {
    uid,
    cardholderId: holder.id,
    productCode: 'standard',
  });
  return card.id as string;
}

beforeAll(async () => {
  t = await startIssuanceTestApp();
  await ensureTestMasterKeys(t.deps);
  agentId = `agent-${randomBytes(5).toString('hex')}`;
  // A throw-away platform CA: the issuance listener's server certificate and the agent's own.
  const ca = createCa({ commonName: 'reader agent test CA', validityDays: 2 });
  const server = issueServerCertificate({ caCertPem: ca.certPem, caKeyPem: ca.keyPem });
  const agentKey = createKeyAndCsr({ commonName: agentId });
  const agentCert = issueCertificate({
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    csrPem: agentKey.csrPem,
    role: 'reader-agent',
    subjectId: agentId,
    validityDays: 2,
  });
  listener = await buildAgentApp(
    t.deps,
    {
      keyPem: server.keyPem,
      certPem: server.certPem,
      caCertPem: ca.certPem,
      revokedSerials: () => Promise.resolve(new Set<string>()),
    },
    'debug',
  );
  t.captureLogsOf(listener.app);
  const issuanceUrl = await listener.listen({ host: '127.0.0.1', port: 0 });
  await setUpCounter();

  dir = await mkdtemp(join(tmpdir(), 'reader-agent-int-'));
  hub = new VirtualReaderHub();
  hub.plug(READER);
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      agentLog.push(chunk.toString());
      done();
    },
  });
  agent = await startReaderAgent({
    hub,
    issuance: new IssuanceClient({
      baseUrl: issuanceUrl,
      ca: ca.certPem,
      cert: agentCert.certPem,
      key: agentKey.keyPem,
    }),
    runPlan: (card, plan) => {
      plansRun.push(plan);
      for (const step of plan.steps) {
        if (step.op === 'auth') keysSeen.add(step.key);
        if (step.op === 'write' && step.block % 4 === 3) {
          keysSeen.add(step.data.slice(0, 12));
          keysSeen.add(step.data.slice(20, 32));
        }
      }
      return runPlan(card, plan);
    },
    log: createLogger({ name: 'reader-agent', level: 'debug', destination }),
    port: 0,
    allowedOrigins: [CONSOLE],
    tokenFile: join(dir, 'token'),
    spoolFile: join(dir, 'reports.json'),
  });
});

afterAll(async () => {
  await agent?.close();
  await hub?.close();
  await listener?.close();
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('counter daemon against the issuance agent listener (mutual TLS)', () => {
  it('personalises a blank card from the clerk plan, then reads it back', async () => {
    const uidBytes = randomBytes(4);
    uidBytes[0] = 0x40 | ((uidBytes[0] ?? 0) & 0x3f);
    const uid = uidBytes.toString('hex').toUpperCase();
    const cardId = await issuedCard(uid);
    const card = VirtualClassicCard.blank(uidBytes);
    hub.reader(READER)?.insert(card);

    // The clerk asks issuance for a plan for this card at this counter's agent.
    const planned = await created('POST', `/cards/${cardId}/personalisation`, clerk, {
      agentId,
    });
    expect(planned).toMatchObject({ uid, purpose: 'personalise' });

    // The console hands the plan id to the daemon; the daemon fetches, runs, reports.
    const ran = await consoleCall(
      agent,
      'POST',
      `/v1/readers/${encodeURIComponent(READER)}/plans/${planned.planId as string}`,
    );
    expect(ran.status, ran.text).toBe(200);
    const result = ran.json<{
      planId: string;
      status: string;
      card?: CardSnapshot;
      report: {
        outcome: string;
        completedSteps: number;
        steps: { data?: string; block: number; op: string }[];
      };
    }>();
    expect(result.planId).toBe(planned.planId);
    expect(result.status).toBe('accepted');
    expect(result.report.outcome).toBe('completed');
    expect(result.report.completedSteps).toBe(result.report.steps.length);
    expect(result.card).toMatchObject({ cardId, uid });
    // Trailer read-backs stay between the card and issuance.
    const trailerReads = result.report.steps.filter((s) => s.op === 'read' && s.block % 4 === 3);
    expect(trailerReads.length).toBeGreaterThan(0);
    expect(trailerReads.every((s) => s.data === undefined)).toBe(true);

    const progress = await inject('GET', `/cards/${cardId}/personalisation`, clerk);
    expect(progress.json()).toMatchObject({ status: 'done' });

    // A read through the daemon gives issuance's snapshot of the now personalised card.
    const read = await consoleCall(agent, 'POST', `/v1/readers/${encodeURIComponent(READER)}/read`);
    expect(read.status, read.text).toBe(200);
    const snapshot = read.json<{ status: string; card: CardSnapshot }>();
    expect(snapshot.status).toBe('accepted');
    expect(snapshot.card).toMatchObject({
      cardId,
      uid,
      balance: '0.00',
      shadowBalance: '0.00',
      mismatch: false,
    });
    expect(snapshot.card.state).not.toBe('stock');

    // Keys lived only in the plans: wiped after each run, never in a log line or an answer.
    expect(plansRun.length).toBe(2);
    for (const plan of plansRun) {
      for (const step of plan.steps) if (step.op === 'auth') expect(step.key).toBe('000000000000');
    }
    const secret = [...keysSeen].filter((k) => k !== '000000000000' && k !== 'FFFFFFFFFFFF');
    expect(secret.length).toBeGreaterThan(0);
    const everything = [agentLog.join(''), t.logs(), ran.text, read.text].join('\n').toUpperCase();
    for (const key of secret) expect(everything).not.toContain(key);
    expect(agent.spool.list()).toEqual([]);
  });

  it('passes issuance refusals on: a plan made for another card', async () => {
    const uidBytes = randomBytes(4);
    uidBytes[0] = 0x40 | ((uidBytes[0] ?? 0) & 0x3f);
    const otherUid = randomBytes(4);
    otherUid[0] = 0x40 | ((otherUid[0] ?? 0) & 0x3f);
    const cardId = await issuedCard(otherUid.toString('hex').toUpperCase());
    const planned = await created('POST', `/cards/${cardId}/personalisation`, clerk, {
      agentId,
    });
    hub.reader(READER)?.insert(VirtualClassicCard.blank(uidBytes));
    const ran = await consoleCall(
      agent,
      'POST',
      `/v1/readers/${encodeURIComponent(READER)}/plans/${planned.planId as string}`,
    );
    expect(ran.status).toBe(409);
    expect(ran.json()).toMatchObject({
      code: 'PLAN_WRONG_CARD',
      details: { upstream: 'issuance' },
    });
  });
});
