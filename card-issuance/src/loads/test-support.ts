import { randomUUID } from 'node:crypto';
import {
  LAYOUT_V1,
  decodePurse,
  encodeHistoryEntry,
  historySlotBlock,
  purseUpdateWrites,
  type ClassicCardIo,
  type VirtualClassicCard,
} from '@citycard/core/card';
import { withTransaction } from '@citycard/core/db';
import { Amount } from '@citycard/core/money';
import type { LightMyRequestResponse } from 'fastify';
import {
  counterOfDrawer,
  makeTestPki,
  randomAgentId,
  registerAgent,
  startAgentListener,
  type AgentClient,
  type RunningAgentListener,
  type TestPki,
} from '../agent/test-support.js';
import type { CardSnapshot, ReportAnswer } from '../agent/agent.schemas.js';
import {
  atCounter,
  importStock,
  injector,
  issueCard,
  registerHolder,
  type Counter,
  type Headers,
} from '../cards/test-support.js';
import {
  blankCard,
  readAsAgent,
  requestPersonalisation,
  runAsAgent,
  type AgentRun,
} from '../personalisation/test-support.js';
import { postShadowEntry } from '../cards/shadow-balance.js';
import { keyRing } from '../keys/key-ring.js';
import { ensureTestMasterKeys } from '../testing/card-keys.js';
import { startIssuanceTestApp, type IssuanceTestApp } from '../testing/harness.js';
import type { LoadResult } from './load.schemas.js';

/** A counter with an open drawer, a registered reader agent beside it, and the agent's client. */
export interface LoadBench {
  readonly t: IssuanceTestApp;
  readonly api: RunningAgentListener;
  readonly pki: TestPki;
  readonly admin: Headers;
  readonly clerk: Counter;
  readonly agentId: string;
  readonly agent: AgentClient;
  readonly holderId: string;
  close(): Promise<void>;
}

export async function startLoadBench(float = '1000.00'): Promise<LoadBench> {
  const t = await startIssuanceTestApp({ settings: { sessionTtlSeconds: 30 * 86_400 } });
  await ensureTestMasterKeys(t.deps);
  const pki = makeTestPki();
  const api = await startAgentListener(t, pki);
  const admin = (await t.signIn('admin')).headers;
  const clerk = await atCounter(t, admin, 'clerk', float);
  const bench = await agentAt(t, api, pki, admin, clerk);
  const holderId = await registerHolder(t, clerk.headers);
  return {
    t,
    api,
    pki,
    admin,
    clerk,
    ...bench,
    holderId,
    async close() {
      await api.close();
      await t.close();
    },
  };
}

/** A reader agent registered at `counter`'s counter, with its mutual-TLS client. */
export async function agentAt(
  t: IssuanceTestApp,
  api: RunningAgentListener,
  pki: TestPki,
  admin: Headers,
  counter: Counter,
): Promise<{ agentId: string; agent: AgentClient }> {
  const agentId = randomAgentId();
  await registerAgent(t, admin, agentId, await counterOfDrawer(t.deps.db, counter.drawerId));
  return { agentId, agent: api.client(pki.issue(agentId)) };
}

export interface CardInHand {
  readonly id: string;
  readonly uid: string;
  readonly vc: VirtualClassicCard;
}

/** A stock card issued, personalised on an in-process virtual card, and active with 0.00. */
export async function activeCard(b: LoadBench, productCode = 'standard'): Promise<CardInHand> {
  const [uid = ''] = await importStock(b.t, b.admin, 1);
  const card = await issueCard(b.t, b.clerk.headers, b.holderId, uid, productCode);
  const vc = blankCard(uid);
  const planned = await requestPersonalisation(b.t, b.clerk.headers, card.id, b.agentId);
  const run = await runAsAgent(b.agent, planned.planId, vc);
  if (run.answer.status !== 'accepted') throw new Error(`personalise: ${run.answer.status}`);
  return { id: card.id, uid, vc };
}

/** The card (back) on the reader and read through the agent: the read plan id and the snapshot. */
export async function readCard(
  agent: AgentClient,
  vc: VirtualClassicCard,
): Promise<{ readPlanId: string; card: CardSnapshot; answer: ReportAnswer }> {
  vc.present();
  const run = await readAsAgent(agent, vc);
  if (run.answer.card === undefined) throw new Error(`read: ${JSON.stringify(run.answer)}`);
  return { readPlanId: run.plan.planId, card: run.answer.card, answer: run.answer };
}

export function orderLoad(
  b: LoadBench,
  cardId: string,
  amount: string,
  readPlanId: string,
  headers: Headers = b.clerk.headers,
  agentId: string = b.agentId,
): Promise<LightMyRequestResponse> {
  return injector(b.t)('POST', `/cards/${cardId}/loads`, headers, {
    amount,
    agentId,
    readPlanId,
  });
}

export interface Ordered {
  readonly load: LoadResult;
  readonly planId: string;
}

export async function orderedLoad(
  b: LoadBench,
  cardId: string,
  amount: string,
  readPlanId: string,
): Promise<Ordered> {
  const res = await orderLoad(b, cardId, amount, readPlanId);
  if (res.statusCode !== 201) throw new Error(`load: ${res.statusCode} ${res.body}`);
  return res.json<Ordered>();
}

/**
 * Where to pull the card during a plan: before command `at` runs (0 = the first auth), or during
 * a write at `at`, with its data reaching the card (`applied`) or not. Commands of a load plan:
 * 0 auth, 1 guard read, 2 backup write, 3 record write (commit), 4 value write, 5–7 read-back,
 * 8 auth history, 9 history write, 10 its read-back.
 */
export type Tear =
  | { readonly at: number; readonly during?: undefined }
  | { readonly at: number; readonly during: 'applied' | 'lost' };

export function tearing(vc: VirtualClassicCard, tear: Tear | null): ClassicCardIo {
  if (tear === null) return vc;
  let n = 0;
  const gate = (write: boolean) => {
    const i = n++;
    if (i !== tear.at) return;
    if (write && tear.during !== undefined) vc.tearDuringNextWrite(tear.during === 'applied');
    else vc.remove();
  };
  return {
    identity: vc.identity,
    authenticate: (block, keyType, key) => {
      gate(false);
      return vc.authenticate(block, keyType, key);
    },
    readBlock: (block) => {
      gate(false);
      return vc.readBlock(block);
    },
    writeBlock: (block, data) => {
      gate(true);
      return vc.writeBlock(block, data);
    },
  };
}

export function runLoadPlan(
  b: LoadBench,
  planId: string,
  vc: VirtualClassicCard,
  tear: Tear | null = null,
): Promise<AgentRun> {
  vc.present();
  return runAsAgent(b.agent, planId, tearing(vc, tear));
}

export async function getLoad(b: LoadBench, id: string) {
  const res = await injector(b.t)('GET', `/loads/${id}`, b.clerk.headers);
  if (res.statusCode !== 200) throw new Error(`load: ${res.statusCode} ${res.body}`);
  return res.json<
    LoadResult & { attempts: unknown[]; events: { cause: string; toState: string }[] }
  >();
}

export async function drawerCash(
  b: LoadBench,
  headers: Headers = b.clerk.headers,
): Promise<string> {
  const res = await injector(b.t)('GET', '/drawers/current', headers);
  return res.json<{ expectedCash: string }>().expectedCash;
}

export async function shadowOf(b: LoadBench, cardId: string): Promise<string> {
  const { rows } = await b.t.deps.db.query<{ balance: string }>(
    'SELECT balance::text AS balance FROM issuance.shadow_balances WHERE card_id = $1',
    [cardId],
  );
  return rows[0]?.balance ?? 'none';
}

/** The card's load entries in the shadow balance: exactly one per confirmed load. */
export async function loadEntriesOf(b: LoadBench, cardId: string): Promise<string[]> {
  const { rows } = await b.t.deps.db.query<{ reference: string }>(
    `SELECT reference FROM issuance.shadow_balance_entries WHERE card_id = $1 AND kind = 'load'
     ORDER BY seq`,
    [cardId],
  );
  return rows.map((r) => r.reference);
}

/**
 * What a bus validator or shop terminal does to the card: a purse debit with its history entry
 * (the entry left out when `tornHistory`), and, once its batch is uploaded, the shadow debit.
 */
export async function tapDebit(
  b: LoadBench,
  card: CardInHand,
  fen: number,
  options: { tornHistory?: boolean } = {},
): Promise<void> {
  const ring = keyRing(b.t.deps);
  const keys = await ring.cardKeys(card.uid, await ring.latestVersion(b.t.deps.db));
  const { vc } = card;
  const uid = Buffer.from(card.uid, 'hex');
  const { purseValue, purseBackup, purseRecord } = LAYOUT_V1.blocks;
  try {
    vc.present();
    await vc.authenticate(purseValue, 'B', keys.sector(purseValue >> 2).keyB);
    const purse = decodePurse(
      {
        value: await vc.readBlock(purseValue),
        backup: await vc.readBlock(purseBackup),
        record: await vc.readBlock(purseRecord),
      },
      uid,
      keys.purseMacKey,
    );
    const newBalanceFen = purse.balanceFen - fen;
    const newCounter = purse.counter + 1;
    const writes = purseUpdateWrites({
      uid,
      macKey: keys.purseMacKey,
      newBalanceFen,
      newCounter,
      lastKind: 'purchase',
    });
    for (const w of writes) await vc.writeBlock(w.block, w.data);
    if (options.tornHistory !== true) {
      const slot = historySlotBlock(newCounter);
      await vc.authenticate(slot, 'B', keys.sector(slot >> 2).keyB);
      const entry = encodeHistoryEntry({
        at: Math.floor(Date.now() / 1000),
        kind: 'purchase',
        amountFen: -fen,
        balanceAfterFen: newBalanceFen,
        terminalRef: 7,
        counterLow: newCounter & 0xff,
      });
      await vc.writeBlock(slot, entry);
    }
  } finally {
    keys.wipe();
  }
  if (fen === 0) return;
  await withTransaction(b.t.deps.db, (tx) =>
    postShadowEntry(tx, {
      cardId: card.id,
      kind: 'debit',
      amount: Amount.fromFen(BigInt(fen)),
      reference: `tap:${randomUUID()}`,
    }),
  );
}

/** A two-place amount plus signed fen, in bigint: never through a float. */
export function addFen(amount: string, fen: number | bigint): string {
  const total = BigInt(amount.replace('.', '')) + BigInt(fen);
  const sign = total < 0n ? '-' : '';
  const abs = total < 0n ? -total : total;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}
