import { randomBytes } from 'node:crypto';
import { runPlan, VirtualClassicCard } from '@citycard/core/card';
import { createScratchDatabase, withTransaction, type ScratchDatabase } from '@citycard/core/db';
import { createLogger } from '@citycard/core/logging';
import {
  bootstrapAdmin,
  buildIssuanceApp,
  defaultSettings,
  initMasterKeys,
  service,
  type IssuanceDeps,
} from '@citycard/card-issuance';
import { fetchPlan, reportPlan, type AgentPrincipal } from '@citycard/card-issuance/agent';
import { planPersonalisation } from '@citycard/card-issuance/personalisation';
import { benchDatabase } from './database.js';
import { percentile, printFigures, round } from './figures.js';
import { residentId } from './issuance-seed.js';

/**
 * Blank cards personalised one after another, the way a counter does it, through the in-process
 * virtual card. Per card: the clerk's plan request, the agent's fetch and its report, timed as
 * the service's own work (the same calls the routes make, without the network), and the card
 * run between them timed apart.
 */
const cards = Number(process.env.BENCH_CARDS ?? 200);
const GOAL_SERVICE_MS = 50;

type App = Awaited<ReturnType<typeof buildIssuanceApp>>['app'];

async function call<T>(
  app: App,
  method: 'GET' | 'POST',
  url: string,
  headers: object,
  body?: unknown,
) {
  const res = await app.inject({
    method,
    url,
    headers: headers as Record<string, string>,
    ...(body === undefined ? {} : { payload: body as object }),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<T>();
}

async function login(app: App, username: string, password: string, counterId?: string) {
  const body = { username, password, ...(counterId ? { counterId } : {}) };
  const { token } = await call<{ token: string }>(app, 'POST', '/auth/login', {}, body);
  return { authorization: `Bearer ${token}` };
}

interface Counter {
  readonly clerk: Record<string, string>;
  readonly agent: AgentPrincipal;
  readonly staffId: string;
  readonly cardIds: string[];
}

async function seedCounter(app: App, deps: IssuanceDeps) {
  const password = randomBytes(12).toString('base64url');
  await withTransaction(deps.db, (tx) => bootstrapAdmin(tx, { username: 'bench-admin', password }));
  const admin = await login(app, 'bench-admin', password);
  const branch = await call<{ id: string }>(app, 'POST', '/branches', admin, {
    code: 'B1',
    name: 'Bench',
  });
  const counter = await call<{ id: string }>(
    app,
    'POST',
    `/branches/${branch.id}/counters`,
    admin,
    {
      code: 'C1',
      name: 'Counter 1',
    },
  );
  const staff = await call<{ id: string }>(app, 'POST', '/staff', admin, {
    username: 'bench-clerk',
    displayName: 'Bench clerk',
    password,
    roles: ['clerk'],
    branchId: branch.id,
  });
  const clerk = await login(app, 'bench-clerk', password, counter.id);
  await call(app, 'POST', '/drawers/open', clerk, {
    counterId: counter.id,
    openingFloat: '500.00',
  });
  await call(app, 'POST', '/reader-agents', admin, { id: 'bench-agent', counterId: counter.id });
  return { admin, clerk, counterId: counter.id, staffId: staff.id };
}

/** Stock cards issued to a cardholder each, waiting for their chips. */
async function issueCards(app: App, admin: object, clerk: object): Promise<string[]> {
  const uids = Array.from({ length: cards }, () => randomBytes(7).toString('hex').toUpperCase());
  await call(app, 'POST', '/stock/batches', admin, uids);
  const cardIds: string[] = [];
  for (const [i, uid] of uids.entries()) {
    const dateOfBirth = `19${String(50 + (i % 40))}-0${1 + (i % 9)}-1${i % 10}`;
    const holder = await call<{ id: string }>(app, 'POST', '/cardholders', clerk, {
      name: `Resident ${i}`,
      document: { type: 'resident_id', number: residentId(dateOfBirth) },
      dateOfBirth,
    });
    const card = await call<{ id: string }>(app, 'POST', '/cards/issue', clerk, {
      uid,
      cardholderId: holder.id,
      productCode: 'standard',
    });
    cardIds.push(card.id);
  }
  return cardIds;
}

async function seed(app: App, deps: IssuanceDeps): Promise<Counter> {
  const { admin, clerk, counterId, staffId } = await seedCounter(app, deps);
  const cardIds = await issueCards(app, admin, clerk);
  const agent: AgentPrincipal = {
    id: 'bench-agent',
    roles: ['reader-agent'],
    counterId,
    serial: '01',
  };
  return { clerk, agent, staffId, cardIds };
}

interface CardTiming {
  planMs: number;
  fetchMs: number;
  reportMs: number;
  serviceMs: number;
  cardMs: number;
  commands: number;
}

async function personaliseOne(
  deps: IssuanceDeps,
  counter: Counter,
  cardId: string,
  principal: Parameters<typeof planPersonalisation>[2]['staff'],
): Promise<CardTiming> {
  const t0 = performance.now();
  const ctx = { staff: principal, requestId: `bench-${cardId}`, now: deps.clock() };
  const planned = await withTransaction(deps.db, (tx) =>
    planPersonalisation(tx, deps, ctx, cardId, counter.agent.id),
  );
  const tPlanned = performance.now();
  const plan = await fetchPlan(deps, counter.agent, planned.planId, planned.uid);
  const t1 = performance.now();
  const card = VirtualClassicCard.blank(Buffer.from(planned.uid, 'hex'));
  const report = await runPlan(card, plan);
  const t2 = performance.now();
  const answer = await reportPlan(deps, counter.agent, planned.planId, report, ctx.requestId);
  const t3 = performance.now();
  if (answer.status !== 'accepted') throw new Error(`card ${cardId}: ${answer.message ?? ''}`);
  return {
    planMs: tPlanned - t0,
    fetchMs: t1 - tPlanned,
    reportMs: t3 - t2,
    serviceMs: t1 - t0 + (t3 - t2),
    cardMs: t2 - t1,
    commands: card.stats.commands,
  };
}

const server = await benchDatabase();
let scratch: ScratchDatabase | undefined;
try {
  scratch = await createScratchDatabase({
    serverUrl: server.url,
    prefix: 'citycard_bench',
    applicationName: 'citycard-bench',
    searchPath: [service.schema, 'public'],
    migrations: [service.migrations],
  });
  const db = scratch.pool;
  const deps: IssuanceDeps = {
    db,
    log: createLogger({ name: service.name, level: 'warn', destination: process.stderr }),
    piiKek: { id: 'bench-pii', key: randomBytes(32) },
    blindIndexKey: randomBytes(32),
    cardKeyKek: { id: 'bench-kek', key: randomBytes(32) },
    clock: () => new Date(),
    settings: defaultSettings,
  };
  await withTransaction(db, (tx) => initMasterKeys(tx, deps.cardKeyKek, { now: new Date() }));
  const { app } = await buildIssuanceApp(deps, 'warn');
  await app.ready();
  const counter = await seed(app, deps);
  const principal = {
    id: counter.staffId,
    username: 'bench-clerk',
    roles: ['clerk' as const],
    branchId: null,
    counterId: counter.agent.counterId,
    sessionId: 'bench',
  };
  // The first cards open the master keys and warm the JIT and the pool: reported apart.
  const warm = Math.min(10, Math.floor(cards / 10));
  const timings: CardTiming[] = [];
  const started = performance.now();
  for (const id of counter.cardIds)
    timings.push(await personaliseOne(deps, counter, id, principal));
  const wallS = (performance.now() - started) / 1000;
  await app.close();
  const steady = timings.slice(warm);
  const serviceMs = steady.map((t) => t.serviceMs).sort((a, b) => a - b);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  printFigures('personalise', {
    cards,
    warmup_cards: warm,
    cards_per_s: round(cards / wallS, 1),
    apdu_ops_per_card: round(mean(steady.map((t) => t.commands)), 1),
    service_ms_mean: round(mean(serviceMs)),
    service_ms_p50: round(percentile(serviceMs, 50)),
    service_ms_p99: round(percentile(serviceMs, 99)),
    plan_request_ms_mean: round(mean(steady.map((t) => t.planMs))),
    plan_fetch_ms_mean: round(mean(steady.map((t) => t.fetchMs))),
    report_ms_mean: round(mean(steady.map((t) => t.reportMs))),
    card_run_ms_mean: round(mean(steady.map((t) => t.cardMs))),
    warmup_service_ms_mean: round(mean(timings.slice(0, warm).map((t) => t.serviceMs))),
    goal_service_ms: GOAL_SERVICE_MS,
    goal_met: mean(serviceMs) <= GOAL_SERVICE_MS,
  });
} finally {
  await scratch?.close();
  await server.stop();
}
