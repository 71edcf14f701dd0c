import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { residentIdCheckCharacter } from '@citycard/card-issuance/cardholders';
import { runPlan, VirtualClassicCard } from '@citycard/core/card';
import { createKeyAndCsr } from '@citycard/core/crypto';
import { AppError } from '@citycard/core/errors';
import type { Logger } from '@citycard/core/logging';
import { parseAmount, sumAmounts, type Amount } from '@citycard/core/money';
import {
  IssuanceClient,
  startReaderAgent,
  type RunningReaderAgent,
} from '@citycard/reader-agent/daemon';
import { VirtualReaderHub } from '@citycard/reader-agent/virtual';
import type { SimulatedCard } from '@citycard/terminal-sdk/simulator';
import { openPkiStore } from '../commands/pki.js';
import { call, type Json, type Session } from './http.js';
import type { ServiceUrls } from './city-seed.js';

/** What the counters handed out: the cards, and the cash each movement put in a drawer. */
export interface CounterDay {
  readonly cards: SimulatedCard[];
  readonly cardIds: readonly string[];
  readonly products: Readonly<Record<string, number>>;
  /** Σ loads the clerks took in cash, a decimal string. */
  readonly loads: string;
  /** Cash the drawers took in (counted at closing, minus the opening floats). */
  readonly cashTaken: string;
}

export interface CounterOptions {
  readonly cards: number;
  readonly onCard?: (done: number, total: number) => void;
}

interface Desk {
  readonly clerk: Session;
  readonly agentId: string;
  readonly agent: RunningReaderAgent;
  readonly hub: VirtualReaderHub;
  readonly reader: string;
}

const READER = 'Counter reader';
const OPENING_FLOAT = '500.00';

/** Products by share of the cards: most standard, some student and senior cards. */
function productFor(i: number): { code: string; concession: string; born: string } {
  if (i % 10 === 7) return { code: 'student', concession: 'STUDENT', born: '2008-09-01' };
  if (i % 20 === 3) return { code: 'senior', concession: 'SENIOR', born: '1952-04-11' };
  return { code: 'standard', concession: 'FULL', born: '1986-03-07' };
}

/**
 * A GB 11643 number for a made-up resident of the city (region 310101), unique per place in the
 * queue: a thousand serials per birthday, the birthday moving on a day per thousand.
 */
function residentId(born: string, i: number): { number: string; dateOfBirth: string } {
  const day = new Date(Date.parse(`${born}T00:00:00Z`) + Math.floor(i / 1000) * 86_400_000);
  const dateOfBirth = day.toISOString().slice(0, 10);
  const body = `310101${dateOfBirth.replaceAll('-', '')}${String(i % 1000).padStart(3, '0')}`;
  return { number: body + residentIdCheckCharacter(body), dateOfBirth };
}

/** Top-ups the clerks take: 50 to 200 yuan in steps of 10, from the card's place in the queue. */
function topUpFor(i: number): string {
  return `${50 + ((i * 37) % 16) * 10}.00`;
}

/** Card stock from the factory: UIDs in a range of their own, one per card in the queue. */
function uidOf(i: number): Buffer {
  const uid = Buffer.alloc(4);
  uid.writeUInt32BE(0x4c000000 + i + 1);
  return uid;
}

async function importStock(urls: ServiceUrls, admin: Session, count: number): Promise<void> {
  for (let from = 0; from < count; from += 500) {
    const uids = [];
    for (let i = from; i < Math.min(count, from + 500); i++) {
      uids.push(uidOf(i).toString('hex').toUpperCase());
    }
    await call(urls.issuance, 'POST', '/stock/batches', admin, uids);
  }
}

async function localCall(desk: Desk, route: string): Promise<Json> {
  const res = await fetch(`${desk.agent.url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${desk.agent.token}` },
  });
  const body = (await res.json()) as Json;
  if (!res.ok || body.status !== 'accepted') {
    throw new AppError('SERVICE_UNAVAILABLE', {
      message: `reader agent ${route}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`,
    });
  }
  return body;
}

/** Opens a desk: the clerk's drawer, a reader agent registered at the counter, a virtual reader. */
async function openDesk(
  urls: ServiceUrls & { agent: string },
  admin: Session,
  clerk: { session: Session; counterId: string },
  dir: string,
  log: Logger,
): Promise<Desk> {
  const agentId = `agent-${clerk.counterId.slice(0, 8)}`;
  await call(urls.issuance, 'POST', '/drawers/open', clerk.session, {
    openingFloat: OPENING_FLOAT,
  });
  await call(urls.issuance, 'POST', '/reader-agents', admin, {
    id: agentId,
    counterId: clerk.counterId,
  });
  const store = await openPkiStore();
  const { keyPem, csrPem } = createKeyAndCsr({ commonName: agentId });
  const cert = await store.issue({
    csrPem,
    role: 'reader-agent',
    subjectId: agentId,
    validityDays: 1,
  });
  const hub = new VirtualReaderHub();
  hub.plug(READER);
  const agent = await startReaderAgent({
    hub,
    issuance: new IssuanceClient({
      baseUrl: urls.agent,
      ca: await store.caCertPem(),
      cert: cert.certPem,
      key: keyPem,
    }),
    runPlan,
    log,
    port: 0,
    allowedOrigins: [],
    tokenFile: path.join(dir, `${agentId}.token`),
    spoolFile: path.join(dir, `${agentId}.spool.json`),
  });
  return { clerk: clerk.session, agentId, agent, hub, reader: encodeURIComponent(READER) };
}

/** The end of the counter day: each clerk counts the drawer (it balances) and closes it. */
async function closeDrawers(urls: ServiceUrls, desks: readonly Desk[]): Promise<Amount> {
  const taken: Amount[] = [];
  for (const desk of desks) {
    const current = await call<{ expectedCash: string }>(
      urls.issuance,
      'GET',
      '/drawers/current',
      desk.clerk,
    );
    await call(urls.issuance, 'POST', '/drawers/current/close', desk.clerk, {
      countedCash: current.expectedCash,
    });
    taken.push(parseAmount(current.expectedCash).sub(parseAmount(OPENING_FLOAT)));
  }
  return sumAmounts(taken);
}

/** One resident at the counter: registered, card issued and personalised, topped up. */
async function serve(
  urls: ServiceUrls,
  desk: Desk,
  i: number,
): Promise<{ card: SimulatedCard; cardId: string; product: string; load: string }> {
  const product = productFor(i);
  const uid = uidOf(i);
  const uidHex = uid.toString('hex').toUpperCase();
  const id = residentId(product.born, i);
  const holder = await call<{ id: string }>(urls.issuance, 'POST', '/cardholders', desk.clerk, {
    name: `居民 ${String(i + 1).padStart(5, '0')}`,
    document: { type: 'resident_id', number: id.number },
    dateOfBirth: id.dateOfBirth,
  });
  const issued = await call<{ id: string; cardNumber: string }>(
    urls.issuance,
    'POST',
    '/cards/issue',
    desk.clerk,
    { uid: uidHex, cardholderId: holder.id, productCode: product.code },
  );
  const chip = VirtualClassicCard.blank(uid);
  desk.hub.reader(READER)?.insert(chip);
  try {
    const plan = await call<{ planId: string }>(
      urls.issuance,
      'POST',
      `/cards/${issued.id}/personalisation`,
      desk.clerk,
      { agentId: desk.agentId },
    );
    await localCall(desk, `/v1/readers/${desk.reader}/plans/${plan.planId}`);
    const read = await localCall(desk, `/v1/readers/${desk.reader}/read`);
    const load = topUpFor(i);
    const order = await call<{ planId: string }>(
      urls.issuance,
      'POST',
      `/cards/${issued.id}/loads`,
      desk.clerk,
      { amount: load, agentId: desk.agentId, readPlanId: read.planId },
    );
    await localCall(desk, `/v1/readers/${desk.reader}/plans/${order.planId}`);
    const card: SimulatedCard = {
      index: i,
      cardNumber: issued.cardNumber,
      uid: uidHex,
      concession: product.concession,
      profile: 'normal',
      initialFen: Number(load.replace('.', '')),
      card: chip,
    };
    return { card, cardId: issued.id, product: product.code, load };
  } finally {
    desk.hub.reader(READER)?.remove();
  }
}

/**
 * The counters' morning: two clerks, each with a reader agent and a virtual reader, serve a queue
 * of residents. Every card goes through the real path — issuance plans, the agent's mutual-TLS
 * fetch and report, the purse written with the issuer's keys — so the back office knows each one.
 */
export async function counterDay(
  urls: ServiceUrls & { agent: string },
  admin: Session,
  clerks: readonly { session: Session; counterId: string }[],
  options: CounterOptions,
  log: Logger,
): Promise<CounterDay & { close(): Promise<void> }> {
  await importStock(urls, admin, options.cards);
  const dir = await mkdtemp(path.join(tmpdir(), 'citycard-demo-agents-'));
  const desks: Desk[] = [];
  for (const clerk of clerks) desks.push(await openDesk(urls, admin, clerk, dir, log));
  const results: Awaited<ReturnType<typeof serve>>[] = [];
  let next = 0;
  await Promise.all(
    desks.map(async (desk) => {
      for (let i = next++; i < options.cards; i = next++) {
        results[i] = await serve(urls, desk, i);
        options.onCard?.(results.filter(Boolean).length, options.cards);
      }
    }),
  );
  const cashTaken = await closeDrawers(urls, desks);
  const products: Record<string, number> = {};
  for (const r of results) products[r.product] = (products[r.product] ?? 0) + 1;
  return {
    cards: results.map((r) => r.card),
    cardIds: results.map((r) => r.cardId),
    products,
    loads: sumAmounts(results.map((r) => parseAmount(r.load))).toString(),
    cashTaken: cashTaken.toString(),
    async close() {
      for (const d of desks) {
        await d.agent.close();
        await d.hub.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
