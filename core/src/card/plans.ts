import { AppError } from '../errors/index.js';
import {
  buildTrailer,
  decodeAccessBits,
  keyBReadable,
  TRANSPORT_KEY,
  validateSectorAccess,
} from './access-bits.js';
import { BLOCK_SIZE, hex, isInt32, isUint } from './bytes.js';
import { encodeHistoryEntry, historySlotBlock, type HistoryEntry } from './history.js';
import { encodeCardholderRef, encodeIssuerInfo, type IssuerInfo } from './issuer-info.js';
import type { CardKeys } from './keys.js';
import {
  keyedSectors,
  LAYOUT_V1,
  sectorOfBlock,
  sectorRole,
  sectorSetup,
  SECTORS_1K,
  trailerBlock,
  type CardLayout,
} from './layout.js';
import { encodeMad, MAD_AID_FREE } from './mad.js';
import type { CardPlan, PlanStep } from './plan.js';
import { purseUpdateWrites, type PurseKind, type PurseState } from './purse.js';
import { EMPTY_TRANSIT_STATE, encodeTransitState } from './transit.js';

type Write = { block: number; data: Buffer };

/** A UID as bytes or as hex (either case); plans carry it as upper-case hex. */
export type UidInput = Buffer | string;

function uidFor(uid: UidInput, keys: CardKeys): Buffer {
  const bytes = uidBytes(uid);
  if (!bytes.equals(keys.uid)) {
    throw new AppError('PLAN_INVALID', { message: 'The keys were derived for another card' });
  }
  return bytes;
}

function uidBytes(uid: UidInput): Buffer {
  const bytes =
    typeof uid === 'string' ? Buffer.from(/^[0-9a-fA-F]*$/.test(uid) ? uid : '', 'hex') : uid;
  if (bytes.length !== 4 && bytes.length !== 7) {
    throw new AppError('PLAN_INVALID', { message: 'A UID is 4 or 7 bytes' });
  }
  return bytes;
}

/** What a trailer reads back as: key A hidden, key B hidden unless the access bits show it. */
export function expectedTrailerReadback(trailer: Buffer): Buffer {
  if (trailer.length !== BLOCK_SIZE) {
    throw new AppError('CARD_DATA_INVALID', { message: 'A trailer is 16 bytes' });
  }
  const out = Buffer.alloc(BLOCK_SIZE);
  trailer.copy(out, 6, 6, 10);
  if (keyBReadable(decodeAccessBits(trailer.subarray(6, 9)))) trailer.copy(out, 10, 10, 16);
  return out;
}

function madAids(layout: CardLayout): number[] {
  return Array.from({ length: SECTORS_1K - 1 }, (_, i) => {
    const role = sectorRole(layout, i + 1);
    return role === 'free' || role === 'mad' ? MAD_AID_FREE : layout.aids[role];
  });
}

interface PersonalisationData {
  uid: Buffer;
  issuer: IssuerInfo;
  cardholderRef: Buffer;
  keys: CardKeys;
  layout: CardLayout;
}

function personalisationWrites(p: PersonalisationData): Write[] {
  const { layout } = p;
  const b = layout.blocks;
  const mad = encodeMad({ infoByte: layout.sectors.issuer, aids: madAids(layout) });
  const madBlock = layout.sectors.mad * 4;
  const issuer = encodeIssuerInfo(p.issuer);
  const transit = encodeTransitState(EMPTY_TRANSIT_STATE);
  const purse = purseUpdateWrites(
    { uid: p.uid, macKey: p.keys.purseMacKey, newBalanceFen: 0, newCounter: 0, lastKind: 'issue' },
    layout,
  );
  return [
    { block: madBlock + 1, data: mad.block1 },
    { block: madBlock + 2, data: mad.block2 },
    { block: b.issuerInfo, data: issuer.info },
    { block: b.issuerExtra, data: issuer.extra },
    { block: b.cardholderRef, data: encodeCardholderRef(p.cardholderRef) },
    ...purse,
    { block: b.transitLastTap, data: transit.lastTap },
    { block: b.transitCounters, data: transit.counters },
    { block: b.transitJourney, data: transit.journey },
    ...b.history.map((block) => ({ block, data: Buffer.alloc(BLOCK_SIZE) })),
  ];
}

function recoveryAuth(sector: number, keys: CardKeys, keyedFrom: ReadonlySet<number>): PlanStep {
  const transport = hex(TRANSPORT_KEY);
  const newB = hex(keys.sector(sector).keyB);
  const block = sector * 4;
  return keyedFrom.has(sector)
    ? { op: 'auth', block, keyType: 'B', key: newB, fallback: { keyType: 'A', key: transport } }
    : { op: 'auth', block, keyType: 'A', key: transport, fallback: { keyType: 'B', key: newB } };
}

/** Refuses a layout whose trailers would lock the issuer (key B) out of what it writes. */
function checkLayout(layout: CardLayout, writes: readonly Write[]): void {
  for (const sector of keyedSectors(layout)) {
    const writeData = writes
      .filter((w) => sectorOfBlock(w.block) === sector)
      .map((w) => (w.block & 3) as 0 | 1 | 2);
    const { access } = sectorSetup(layout, sector);
    validateSectorAccess(access, { issuerKey: 'B', writeData, rewriteTrailer: true });
  }
}

function sectorTrailer(sector: number, keys: CardKeys, layout: CardLayout): Buffer {
  const { access, gpb } = sectorSetup(layout, sector);
  const { keyA, keyB } = keys.sector(sector);
  return buildTrailer({ keyA, keyB, access, gpb });
}

export interface PersonalisationInput {
  planId: string;
  uid: UidInput;
  issuer: IssuerInfo;
  cardholderRef: Buffer;
  keys: CardKeys;
  layout?: CardLayout;
  /** Sectors already carrying the new keys (recovery of a personalisation cut short). */
  keyedFrom?: ReadonlySet<number>;
}

/**
 * Data blocks sector by sector, then every trailer (so a card pulled early keeps transport keys
 * where it can), then a read-back of everything with the new key B.
 */
export function buildPersonalisationPlan(input: PersonalisationInput): CardPlan {
  const layout = input.layout ?? LAYOUT_V1;
  const keyedFrom = input.keyedFrom ?? new Set<number>();
  const { keys } = input;
  const uid = uidFor(input.uid, keys);
  const writes = personalisationWrites({ ...input, uid, layout });
  checkLayout(layout, writes);
  const sectors = keyedSectors(layout);
  const inSector = (s: number) => writes.filter((w) => sectorOfBlock(w.block) === s);
  const steps: PlanStep[] = [];
  for (const s of sectors) {
    steps.push(recoveryAuth(s, keys, keyedFrom));
    for (const w of inSector(s)) steps.push({ op: 'write', block: w.block, data: hex(w.data) });
  }
  for (const s of sectors) {
    steps.push(recoveryAuth(s, keys, keyedFrom));
    steps.push({ op: 'write', block: trailerBlock(s), data: hex(sectorTrailer(s, keys, layout)) });
  }
  for (const s of sectors) {
    steps.push({ op: 'auth', block: s * 4, keyType: 'B', key: hex(keys.sector(s).keyB) });
    for (const w of inSector(s)) steps.push({ op: 'read', block: w.block, expect: hex(w.data) });
    const trailer = expectedTrailerReadback(sectorTrailer(s, keys, layout));
    steps.push({ op: 'read', block: trailerBlock(s), expect: hex(trailer) });
  }
  return { planId: input.planId, uid: hex(uid), purpose: 'personalise', steps };
}

export type ReadSection = 'issuer' | 'purse' | 'transit' | 'history';

function sectionBlocks(layout: CardLayout, section: ReadSection): readonly number[] {
  const b = layout.blocks;
  switch (section) {
    case 'issuer':
      return [b.issuerInfo, b.issuerExtra, b.cardholderRef];
    case 'purse':
      return [b.purseValue, b.purseBackup, b.purseRecord];
    case 'transit':
      return [b.transitLastTap, b.transitCounters, b.transitJourney];
    case 'history':
      return b.history;
  }
}

export interface ReadPlanInput {
  planId: string;
  uid: UidInput;
  keys: CardKeys;
  layout?: CardLayout;
  sectors?: readonly ReadSection[];
}

/** Key A reads (the read-only key) of the chosen sections, one authentication per sector. */
export function buildReadPlan(input: ReadPlanInput): CardPlan {
  const layout = input.layout ?? LAYOUT_V1;
  const sections = input.sectors ?? ['issuer', 'purse', 'transit', 'history'];
  const blocks = [...new Set(sections.flatMap((s) => sectionBlocks(layout, s)))].sort(
    (a, b) => a - b,
  );
  const steps: PlanStep[] = [];
  let sector = -1;
  for (const block of blocks) {
    if (sectorOfBlock(block) !== sector) {
      sector = sectorOfBlock(block);
      steps.push({
        op: 'auth',
        block: sector * 4,
        keyType: 'A',
        key: hex(input.keys.sector(sector).keyA),
      });
    }
    steps.push({ op: 'read', block });
  }
  return { planId: input.planId, uid: hex(uidFor(input.uid, input.keys)), purpose: 'read', steps };
}

export interface LoadPlanInput {
  planId: string;
  uid: UidInput;
  keys: CardKeys;
  layout?: CardLayout;
  /** `source` as decodePurse gave it: after a torn update only the backup may be valid. */
  current: { balanceFen: number; counter: number; source?: PurseState['source'] };
  newBalanceFen: number;
  history: HistoryEntry;
  /** The purse record block as last read: the plan stops if the card changed since. */
  expectRecord: Buffer;
  purpose?: 'load' | 'correct';
  lastKind?: PurseKind;
}

function checkLoad(input: LoadPlanInput): number {
  const newCounter = input.current.counter + 1;
  const problems: string[] = [];
  if (!isInt32(input.newBalanceFen)) problems.push('newBalanceFen is not int32 fen');
  if (!isUint(newCounter, 32)) problems.push('the purse counter is exhausted');
  if (input.history.counterLow !== (newCounter & 0xff)) {
    problems.push('history.counterLow is not the low byte of the new counter');
  }
  if (input.expectRecord.length !== BLOCK_SIZE) problems.push('expectRecord is not 16 bytes');
  if (problems.length > 0) throw new AppError('PLAN_INVALID', { details: { problems } });
  return newCounter;
}

/**
 * Guarded purse update: auth B, check the record is still what was read, the three anti-tear
 * writes, read them back; then the history entry and its read-back.
 */
export function buildLoadPlan(input: LoadPlanInput): CardPlan {
  const layout = input.layout ?? LAYOUT_V1;
  const newCounter = checkLoad(input);
  const { keys } = input;
  const uid = uidFor(input.uid, keys);
  const purseSector = layout.sectors.purse;
  const writes = purseUpdateWrites(
    {
      uid,
      macKey: keys.purseMacKey,
      newBalanceFen: input.newBalanceFen,
      newCounter,
      lastKind: input.lastKind ?? 'load',
      ...(input.current.source === undefined ? {} : { from: input.current.source }),
    },
    layout,
  );
  const historyBlock = historySlotBlock(newCounter, layout);
  const historySector = sectorOfBlock(historyBlock);
  const entry = hex(encodeHistoryEntry(input.history));
  const auth = (sector: number): PlanStep => ({
    op: 'auth',
    block: sector * 4,
    keyType: 'B',
    key: hex(keys.sector(sector).keyB),
  });
  const steps: PlanStep[] = [
    auth(purseSector),
    { op: 'read', block: layout.blocks.purseRecord, expect: hex(input.expectRecord) },
    ...writes.map((w): PlanStep => ({ op: 'write', block: w.block, data: hex(w.data) })),
    ...[...writes]
      .sort((a, b) => a.block - b.block)
      .map((w): PlanStep => ({ op: 'read', block: w.block, expect: hex(w.data) })),
    auth(historySector),
    { op: 'write', block: historyBlock, data: entry },
    { op: 'read', block: historyBlock, expect: entry },
  ];
  return { planId: input.planId, uid: hex(uid), purpose: input.purpose ?? 'load', steps };
}
