import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { residentIdCheckCharacter } from '@citycard/card-issuance/cardholders';
import { call, type Session } from '@citycard/cli/demo';
import { VirtualClassicCard } from '@citycard/core/card';
import type { PcscdGate } from '@citycard/reader-agent/testing';
import type { SimulatedCard } from '@citycard/terminal-sdk/simulator';
import { openCounterReader, type CounterReader } from './counter-reader.js';
import { fen, yuan } from './fen.js';
import type { CityStack } from './stack.js';

export const OPENING_FLOAT = '500.00';
/** The clerk counts this much less than the drawer should hold: a planted short. */
export const DRAWER_SHORT = '10.00';

/** What the counter handed out and took in, as the test asked for it. */
export interface CounterMorning {
  readonly cards: SimulatedCard[];
  readonly cardIds: readonly string[];
  /** The top-up the clerk took for each card, in order. */
  readonly loads: readonly string[];
  /** The deposit each card's product asks for, in order. */
  readonly deposits: readonly string[];
  readonly drawer: {
    readonly id: string;
    readonly openedAt: string;
    readonly expectedCash: string;
    readonly countedCash: string;
  };
}

interface Desk {
  readonly urls: CityStack['urls'];
  readonly clerk: Session;
  readonly agentId: string;
  readonly reader: CounterReader;
}

/** Products in the queue: most standard, a few students and a senior. */
function productFor(i: number): { code: string; concession: string; born: string } {
  if (i % 8 === 5) return { code: 'student', concession: 'STUDENT', born: '2008-09-01' };
  if (i % 11 === 3) return { code: 'senior', concession: 'SENIOR', born: '1952-04-11' };
  return { code: 'standard', concession: 'FULL', born: '1986-03-07' };
}

/** 40 to 150 yuan in steps of 10: some cards run low during the day and are refused. */
const loadFor = (i: number): string => `${40 + ((i * 7) % 12) * 10}.00`;

function residentId(born: string, serial: number): string {
  const body = `310101${born.replaceAll('-', '')}${String(serial % 1000).padStart(3, '0')}`;
  return body + residentIdCheckCharacter(body);
}

function uidOf(i: number): Buffer {
  const uid = Buffer.alloc(4);
  uid.writeUInt32BE(0x4e000000 + i + 1);
  return uid;
}

/** A POST to the reader agent's local API, as the counter console makes it. */
async function agentPost(desk: Desk, route: string): Promise<{ planId?: string }> {
  const { agentUrl, token, readerName } = desk.reader;
  const res = await fetch(`${agentUrl}/v1/readers/${encodeURIComponent(readerName)}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as { status?: string; planId?: string };
  if (!res.ok || body.status !== 'accepted') {
    throw new Error(`reader agent ${route}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  return body;
}

/** The resident registered and a stock card issued to them; its chip is still blank. */
async function issueTo(desk: Desk, i: number): Promise<{ id: string; cardNumber: string }> {
  const { urls, clerk } = desk;
  const product = productFor(i);
  const holder = await call<{ id: string }>(urls.issuance, 'POST', '/cardholders', clerk, {
    name: `居民 ${String(i + 1).padStart(3, '0')}`,
    document: { type: 'resident_id', number: residentId(product.born, i) },
    dateOfBirth: product.born,
  });
  const uid = uidOf(i).toString('hex').toUpperCase();
  return call(urls.issuance, 'POST', '/cards/issue', clerk, {
    uid,
    cardholderId: holder.id,
    productCode: product.code,
  });
}

/** The chip on the reader: personalised, read back, and loaded, each plan run by the agent. */
async function personaliseAndLoad(desk: Desk, cardId: string, load: string): Promise<void> {
  const { urls, clerk, agentId } = desk;
  const at = `/cards/${cardId}`;
  const plan = await call<{ planId: string }>(
    urls.issuance,
    'POST',
    `${at}/personalisation`,
    clerk,
    {
      agentId,
    },
  );
  await agentPost(desk, `/plans/${plan.planId}`);
  const read = await agentPost(desk, '/read');
  const order = await call<{ planId: string }>(urls.issuance, 'POST', `${at}/loads`, clerk, {
    amount: load,
    agentId,
    readPlanId: read.planId,
  });
  await agentPost(desk, `/plans/${order.planId}`);
}

/** One resident: registered, a card issued, personalised and topped up through the agent. */
async function serve(desk: Desk, i: number): Promise<{ card: SimulatedCard; cardId: string }> {
  const issued = await issueTo(desk, i);
  const chip = VirtualClassicCard.blank(uidOf(i));
  await desk.reader.present(chip);
  try {
    await personaliseAndLoad(desk, issued.id, loadFor(i));
  } finally {
    await desk.reader.take();
  }
  const card: SimulatedCard = {
    index: i,
    cardNumber: issued.cardNumber,
    uid: uidOf(i).toString('hex').toUpperCase(),
    concession: productFor(i).concession,
    profile: 'normal',
    initialFen: Number(fen(loadFor(i))),
    card: chip,
  };
  return { card, cardId: issued.id };
}

/** Opens the clerk's drawer and registers the counter's reader agent, then starts it. */
async function openCounter(
  stack: CityStack,
  staff: { admin: Session; clerk: Session; counterId: string },
  pcscd: PcscdGate,
  dir: string,
): Promise<Desk> {
  const { urls } = stack;
  await call(urls.issuance, 'POST', '/drawers/open', staff.clerk, { openingFloat: OPENING_FLOAT });
  const agentId = 'agent-e2e-counter-1';
  await call(urls.issuance, 'POST', '/reader-agents', staff.admin, {
    id: agentId,
    counterId: staff.counterId,
  });
  const reader = await openCounterReader({
    env: { CITYCARD_DATA_DIR: path.join(dir, 'agent-data'), LOG_LEVEL: 'warn' },
    dataDir: stack.dataDir,
    kek: stack.kek,
    issuanceAgentUrl: urls.agent,
    agentId,
    dir,
    pcscd,
  });
  return { urls, clerk: staff.clerk, agentId, reader };
}

/**
 * The counter's morning: the clerk opens a drawer, residents queue for cards, and at the end the
 * clerk counts the drawer, DRAWER_SHORT less than it should hold.
 */
export async function counterMorning(
  stack: CityStack,
  staff: { admin: Session; clerk: Session; counterId: string },
  count: number,
  pcscd: PcscdGate,
): Promise<CounterMorning> {
  const { urls } = stack;
  const uids = Array.from({ length: count }, (_, i) => uidOf(i).toString('hex').toUpperCase());
  await call(urls.issuance, 'POST', '/stock/batches', staff.admin, uids);
  const dir = await mkdtemp(path.join(tmpdir(), 'citycard-e2e-agent-'));
  try {
    const desk = await openCounter(stack, staff, pcscd, dir);
    const served = [];
    try {
      for (let i = 0; i < count; i++) served.push(await serve(desk, i));
    } finally {
      await desk.reader.close();
    }
    const products = await call<{ items: { code: string; deposit: string }[] }>(
      urls.issuance,
      'GET',
      '/products',
      staff.clerk,
    );
    const deposit = new Map(products.items.map((p) => [p.code, p.deposit]));
    const codes = served.map((_, i) => productFor(i).code);
    return {
      cards: served.map((s) => s.card),
      cardIds: served.map((s) => s.cardId),
      loads: served.map((_, i) => loadFor(i)),
      deposits: codes.map((code) => deposit.get(code) ?? 'unknown'),
      drawer: await closeShort(urls.issuance, staff.clerk),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function closeShort(issuanceUrl: string, clerk: Session): Promise<CounterMorning['drawer']> {
  const current = await call<{ id: string; openedAt: string; expectedCash: string }>(
    issuanceUrl,
    'GET',
    '/drawers/current',
    clerk,
  );
  const countedCash = yuan(fen(current.expectedCash) - fen(DRAWER_SHORT));
  await call(issuanceUrl, 'POST', '/drawers/current/close', clerk, { countedCash });
  return { ...current, countedCash };
}
