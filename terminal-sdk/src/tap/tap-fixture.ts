import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildPersonalisationPlan,
  decodePurse,
  decodeTransitState,
  deriveCardKeys,
  purseUpdateWrites,
  runPlan,
  testMasterKeySet,
  VirtualClassicCard,
  type IssuerInfo,
  type PurseState,
  type TransitState,
} from '@citycard/core/card';
import { openJournal, type FileJournal } from '../journal/index.js';
import type { TransactionRecord } from '../protocol/index.js';
import {
  createRecorder,
  decodeRecordPayload,
  type TransactionRecorder,
} from '../recorder/index.js';
import type { HotlistView } from '../sync/index.js';
import { SoftSam } from './soft-sam.js';

/** Test helpers for taps: issued virtual cards, a real recorder on a temporary journal. */
export const MASTERS = testMasterKeySet(Buffer.from('citycard tap tests'));
export const SAM = new SoftSam(MASTERS);

export interface IssueOptions {
  uid?: string;
  balanceFen?: number;
  concession?: string;
  concessionUntil?: string | null;
  expiresOn?: string;
  cardNumber?: string;
}

export async function issueCard(opts: IssueOptions = {}): Promise<VirtualClassicCard> {
  const uid = Buffer.from(opts.uid ?? '04A1B2C3', 'hex');
  const card = VirtualClassicCard.blank(uid);
  const keys = deriveCardKeys(MASTERS, uid);
  const issuer: IssuerInfo = {
    cardNumber: opts.cardNumber ?? '3100000000000017',
    issuedOn: '2026-01-05',
    expiresOn: opts.expiresOn ?? '2031-01-04',
    status: 'active',
    layoutVersion: 1,
    keyVersion: MASTERS.version,
    concession: opts.concession ?? 'FULL',
    concessionUntil: opts.concessionUntil ?? null,
  };
  const plan = buildPersonalisationPlan({
    planId: randomUUID(),
    uid,
    issuer,
    cardholderRef: Buffer.alloc(16, 7),
    keys,
  });
  const report = await runPlan(card, plan);
  if (report.outcome !== 'completed') throw new Error(`personalisation ${report.outcome}`);
  await card.authenticate(8, 'B', keys.sector(2).keyB);
  const load = purseUpdateWrites({
    uid,
    macKey: keys.purseMacKey,
    newBalanceFen: opts.balanceFen ?? 2000,
    newCounter: 1,
    lastKind: 'load',
  });
  for (const w of load) await card.writeBlock(w.block, w.data);
  card.remove();
  card.present();
  keys.wipe();
  return card;
}

/** The purse and transit state straight from the card's memory. */
export function cardState(card: VirtualClassicCard): { purse: PurseState; transit: TransitState } {
  const image = card.image();
  const keys = deriveCardKeys(MASTERS, card.identity.uid);
  const at = (i: number) => image[i] ?? Buffer.alloc(16);
  const purse = decodePurse(
    { value: at(8), backup: at(9), record: at(10) },
    keys.uid,
    keys.purseMacKey,
  );
  keys.wipe();
  return { purse, transit: decodeTransitState(at(12), at(13), at(14)) };
}

/** The data blocks a tap may write (issuer, purse, transit, history), as hex. */
export function dataBlocks(card: VirtualClassicCard): string[] {
  const image = card.image();
  return [4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20, 21, 22].map((i) =>
    (image[i] ?? Buffer.alloc(0)).toString('hex'),
  );
}

export interface TestRecorder {
  recorder: TransactionRecorder;
  journal: FileJournal;
  macKey: Buffer;
  records(): Promise<TransactionRecord[]>;
  close(): Promise<void>;
}

export async function tempRecorder(): Promise<TestRecorder> {
  const dir = await mkdtemp(join(tmpdir(), 'citycard-tap-'));
  const journal = await openJournal({ dir });
  const macKey = randomBytes(16);
  const recorder = createRecorder({ journal, credentials: { terminalId: 'bus-0001', macKey } });
  return {
    recorder,
    journal,
    macKey,
    async records() {
      const items = await journal.readPending(10_000, 0);
      return items.flatMap((i) => (i.kind === 'record' ? [decodeRecordPayload(i.payload)] : []));
    },
    async close() {
      await journal.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function hotlist(...cardNumbers: string[]): HotlistView {
  const listed = new Set(cardNumbers);
  return { version: 1, isListed: (cardNumber) => listed.has(cardNumber) };
}
