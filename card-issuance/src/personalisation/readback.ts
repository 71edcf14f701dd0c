import {
  TRANSPORT_KEY,
  toHex,
  type CardKeys,
  type CardPlan,
  type PlanReport,
  type PlanStep,
} from '@citycard/core/card';

const sectorOf = (block: number): number => block >> 2;
const isTrailer = (block: number): boolean => block % 4 === 3;

/**
 * Whether the report proves the plan ran whole: every step done, and every read that had an
 * expected value returned exactly it. The agent's own outcome is not taken on trust.
 */
export function readbackMatches(plan: CardPlan, report: PlanReport): boolean {
  if (report.outcome !== 'completed' || report.steps.length !== plan.steps.length) return false;
  return plan.steps.every((planned, i) => {
    const step = report.steps[i];
    if (step?.status !== 'done' || step.op !== planned.op || step.block !== planned.block) {
      return false;
    }
    return planned.op !== 'read' || planned.expect === undefined || step.data === planned.expect;
  });
}

function usedKey(planned: PlanStep & { op: 'auth' }, usedFallback: boolean | undefined) {
  return usedFallback === true && planned.fallback !== undefined ? planned.fallback : planned;
}

/**
 * Which sectors carry the card's own keys after this run, as far as the report proves it: a
 * trailer write that is done, or a key B of the card's own that authenticated. A sector that
 * authenticated with the transport key does not. A write cut by removal proves nothing; the
 * recovery plan's fallback key covers either case.
 */
export function provenKeyedSectors(
  plan: CardPlan,
  report: PlanReport,
  keys: CardKeys,
  before: readonly number[],
): number[] {
  const keyed = new Set(before);
  const transport = toHex(TRANSPORT_KEY);
  report.steps.forEach((step, i) => {
    const planned = plan.steps[i];
    if (planned === undefined || step.status !== 'done') return;
    const sector = sectorOf(planned.block);
    if (planned.op === 'write' && isTrailer(planned.block)) keyed.add(sector);
    if (planned.op !== 'auth') return;
    const used = usedKey(planned, step.usedFallback);
    if (used.keyType === 'B' && used.key === toHex(keys.sector(sector).keyB)) keyed.add(sector);
    else if (used.key === transport) keyed.delete(sector);
  });
  return [...keyed].sort((a, b) => a - b);
}

/** Whether any write of the run reached the card (or may have: the step cut by removal). */
export function anyWriteAttempted(plan: CardPlan, report: PlanReport): boolean {
  return report.steps.some((step, i) => plan.steps[i]?.op === 'write' && step.status !== 'not_run');
}
