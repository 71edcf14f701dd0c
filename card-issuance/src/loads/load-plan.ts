import { createHash } from 'node:crypto';
import {
  LAYOUT_V1,
  buildLoadPlan,
  decodeHistoryEntry,
  decodePurse,
  encodeValueBlock,
  toHex,
  type CardKeys,
  type CardPlan,
  type HistoryEntry,
  type PlanReport,
  type PlanStep,
  type PurseState,
} from '@citycard/core/card';
import { AppError } from '@citycard/core/errors';
import { z } from 'zod';
import { judgeLoad, type LoadExpectation, type Verdict } from './load-verdict.js';
import type { AttemptOutcome } from './load-attempt.repository.js';

const { purseValue, purseBackup, purseRecord } = LAYOUT_V1.blocks;
const HISTORY_BLOCKS: readonly number[] = LAYOUT_V1.blocks.history;

/** What a load plan is rebuilt from (card_plans.spec): the purse it starts from, never keys. */
export const loadSpecSchema = z.object({
  loadId: z.uuid(),
  counterBefore: z.number().int().min(0),
  balanceBeforeFen: z.number().int().min(0),
  amountFen: z.number().int().min(1),
  expectRecord: z.string().regex(/^[0-9A-F]{32}$/),
  historyAt: z.number().int().min(0),
  terminalRef: z.number().int().min(0).max(0xffff),
  /** The read found the value block stale (a torn update's value write never landed). */
  repairValue: z.boolean().default(false),
});
export type LoadSpec = z.infer<typeof loadSpecSchema>;

export function parseLoadSpec(spec: unknown): LoadSpec {
  const parsed = loadSpecSchema.safeParse(spec);
  if (!parsed.success) {
    throw new AppError('INTERNAL', { message: 'A stored load plan spec does not parse' });
  }
  return parsed.data;
}

export function expectationOf(spec: LoadSpec): LoadExpectation {
  return {
    counterBefore: spec.counterBefore,
    balanceBeforeFen: spec.balanceBeforeFen,
    amountFen: spec.amountFen,
  };
}

/** The history entry the load leaves in the slot of its purse counter. */
export function loadHistoryEntry(spec: LoadSpec): HistoryEntry {
  const counter = spec.counterBefore + 1;
  return {
    at: spec.historyAt,
    kind: 'load',
    amountFen: spec.amountFen,
    balanceAfterFen: spec.balanceBeforeFen + spec.amountFen,
    terminalRef: spec.terminalRef,
    counterLow: counter & 0xff,
  };
}

/** A counter's 16-bit reference on the card's history: enough to tell counters apart at a glance. */
export function terminalRefOf(counterId: string): number {
  return createHash('sha256').update(counterId).digest().readUInt16BE(0);
}

/**
 * The load plan, with one write added when the purse was read from its backup block. The update
 * writes the backup block first, so a stale value block must be brought up to the vouched balance
 * before: otherwise a card pulled between the backup and record writes would keep no block the
 * record vouches for, and the purse would read as tampered.
 */
export function buildLoadCardPlan(
  planId: string,
  uid: string,
  keys: CardKeys,
  spec: LoadSpec,
): CardPlan {
  const plan = corePlan(planId, uid, keys, spec);
  if (!spec.repairValue) return plan;
  const guard = plan.steps.findIndex((s) => s.op === 'read' && s.block === purseRecord);
  const repair: PlanStep = {
    op: 'write',
    block: purseValue,
    data: toHex(encodeValueBlock(spec.balanceBeforeFen, purseValue)),
  };
  return { ...plan, steps: plan.steps.toSpliced(guard + 1, 0, repair) };
}

function corePlan(planId: string, uid: string, keys: CardKeys, spec: LoadSpec): CardPlan {
  return buildLoadPlan({
    planId,
    uid: Buffer.from(uid, 'hex'),
    keys,
    purpose: 'load',
    current: { balanceFen: spec.balanceBeforeFen, counter: spec.counterBefore },
    newBalanceFen: spec.balanceBeforeFen + spec.amountFen,
    history: loadHistoryEntry(spec),
    expectRecord: Buffer.from(spec.expectRecord, 'hex'),
  });
}

const PURSE_BLOCKS: ReadonlySet<number> = new Set([purseValue, purseBackup, purseRecord]);

/** Reads after this index saw the purse as the plan left it. */
function lastPurseWrite(plan: CardPlan): number {
  return plan.steps.findLastIndex((s) => s.op === 'write' && PURSE_BLOCKS.has(s.block));
}

/** Reads that were done after `from` (an index), by block; the last read of a block wins. */
function readsAfter(report: PlanReport, from: number): Map<number, Buffer> {
  const blocks = new Map<number, Buffer>();
  for (const step of report.steps) {
    if (step.index > from && step.op === 'read' && step.status === 'done' && step.data) {
      blocks.set(step.block, Buffer.from(step.data, 'hex'));
    }
  }
  return blocks;
}

/** The purse the plan's read-back saw, when all three purse blocks were read back and verify. */
export function purseReadBack(
  plan: CardPlan,
  report: PlanReport,
  uid: string,
  macKey: Buffer,
): PurseState | undefined {
  const blocks = readsAfter(report, lastPurseWrite(plan));
  const value = blocks.get(purseValue);
  const backup = blocks.get(purseBackup);
  const record = blocks.get(purseRecord);
  if (!value || !backup || !record) return undefined;
  try {
    return decodePurse({ value, backup, record }, Buffer.from(uid, 'hex'), macKey);
  } catch {
    return undefined;
  }
}

/** History entries among a set of blocks (a read plan's or a read-back's); empty slots are null. */
export function historyOf(blocks: ReadonlyMap<number, Buffer>): (HistoryEntry | null)[] {
  return HISTORY_BLOCKS.flatMap((b) => {
    const data = blocks.get(b);
    if (data === undefined) return [];
    try {
      return [decodeHistoryEntry(data)];
    } catch {
      return [null];
    }
  });
}

const REFUSED = new Set(['auth_failed', 'access_denied', 'wrong_card', 'readback_mismatch']);

/**
 * What one load plan's report says about the card. A read-back of the purse is evidence and is
 * judged like any later read. Without one, the purse record write is the commit point: a record
 * write never sent, or refused by the card, left the purse as it was; anything else (the card
 * left with the record write in flight or done, and no read-back) is unknown until the card is
 * read again.
 */
export function outcomeOfReport(
  plan: CardPlan,
  report: PlanReport,
  spec: LoadSpec,
  readBack: PurseState | undefined,
): { outcome: AttemptOutcome; verdict: Verdict | null } {
  if (readBack !== undefined) {
    const history = historyOf(readsAfter(report, lastPurseWrite(plan)));
    const verdict = judgeLoad(expectationOf(spec), readBack, history);
    if (verdict === 'applied') return { outcome: 'written', verdict };
    if (verdict === 'not_applied') return { outcome: 'not_written', verdict };
  }
  const commit = plan.steps.findIndex((s) => s.op === 'write' && s.block === purseRecord);
  const step = report.steps.find((s) => s.index === commit);
  const notSent = step === undefined || step.status === 'not_run';
  const refused = step?.status === 'failed' && REFUSED.has(report.outcome);
  if (notSent || refused) return { outcome: 'not_written', verdict: null };
  return { outcome: 'unknown', verdict: null };
}
