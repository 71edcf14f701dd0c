import { isAppError, type ErrorCode } from '../errors/index.js';
import { decodeHistoryEntry, type HistoryEntry } from './history.js';
import { decodeIssuerInfo, type IssuerInfo } from './issuer-info.js';
import { LAYOUT_V1, type CardLayout } from './layout.js';
import type { PlanReport } from './plan.js';
import { decodePurse, type PurseState } from './purse.js';
import { decodeTransitState, type TransitState } from './transit.js';

export type CardImagePart = 'issuer' | 'purse' | 'transit' | 'history';

export interface CardImage {
  issuer?: IssuerInfo;
  cardholderRef?: Buffer;
  purse?: PurseState | { error: ErrorCode };
  transit?: TransitState;
  /** Newest first. */
  history?: HistoryEntry[];
  /** Parts whose blocks were read but do not decode (the purse reports its own error). */
  problems?: Array<{ part: CardImagePart; code: ErrorCode }>;
}

function codeOf(error: unknown): ErrorCode {
  if (isAppError(error)) return error.code;
  throw error;
}

/**
 * What the blocks that were read say. A part is present only when all its blocks were read; the
 * purse needs the MAC key to be believed, without it the purse is left out.
 */
export function decodeCardImage(
  blocks: ReadonlyMap<number, Buffer>,
  uid: Buffer,
  purseMacKey?: Buffer,
  layout: CardLayout = LAYOUT_V1,
): CardImage {
  const b = layout.blocks;
  const image: CardImage = {};
  const problems: NonNullable<CardImage['problems']> = [];
  const attempt = (part: CardImagePart, run: () => void): void => {
    try {
      run();
    } catch (error) {
      problems.push({ part, code: codeOf(error) });
    }
  };
  const info = blocks.get(b.issuerInfo);
  const extra = blocks.get(b.issuerExtra);
  if (info && extra) attempt('issuer', () => (image.issuer = decodeIssuerInfo(info, extra)));
  const ref = blocks.get(b.cardholderRef);
  if (ref) image.cardholderRef = Buffer.from(ref);
  const value = blocks.get(b.purseValue);
  const backup = blocks.get(b.purseBackup);
  const record = blocks.get(b.purseRecord);
  if (value && backup && record && purseMacKey) {
    try {
      image.purse = decodePurse({ value, backup, record }, uid, purseMacKey);
    } catch (error) {
      image.purse = { error: codeOf(error) };
    }
  }
  const tap = blocks.get(b.transitLastTap);
  const counters = blocks.get(b.transitCounters);
  const journey = blocks.get(b.transitJourney);
  if (tap && counters && journey) {
    attempt('transit', () => (image.transit = decodeTransitState(tap, counters, journey)));
  }
  const slots = b.history.map((n) => blocks.get(n));
  if (slots.every((s) => s !== undefined)) {
    attempt('history', () => {
      const entries = slots.map(decodeHistoryEntry).filter((e) => e !== null);
      image.history = entries.sort((x, y) => y.at - x.at);
    });
  }
  if (problems.length > 0) image.problems = problems;
  return image;
}

/** Block → data of every read step that is done. */
export function blocksFromReport(report: PlanReport): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const step of report.steps) {
    if (step.op === 'read' && step.status === 'done' && step.data !== undefined) {
      out.set(step.block, Buffer.from(step.data, 'hex'));
    }
  }
  return out;
}
