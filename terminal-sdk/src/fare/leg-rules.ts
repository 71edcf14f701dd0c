import { AppError } from '@citycard/core/errors';
import type { Amount } from '@citycard/core/money';
import type { FareIndex } from './fare-index.js';
import type { FareLegRule, FareSet } from './fare-set.schema.js';
import { inTimeframe, localClock } from './time.js';

export interface MatchedLeg {
  readonly rule: FareLegRule;
  readonly base: Amount;
  readonly legGroupCode: number;
}

function areaMatches(ruleArea: string | undefined, stopAreas: ReadonlySet<string> | undefined) {
  return ruleArea === undefined || (stopAreas?.has(ruleArea) ?? false);
}

/**
 * The fare leg rule for a leg that departs at `departure` (unix s): rules of the network whose
 * set fields all match; an empty field does not affect matching. The highest rule_priority wins,
 * then the rule listed first, so the outcome never depends on anything but the fare set.
 */
export function matchLeg(
  ix: FareIndex,
  leg: { networkId: string; fromStopId?: string; toStopId?: string; departure: number },
): MatchedLeg {
  const set: FareSet = ix.set;
  const clock = localClock(set, leg.departure);
  const from = leg.fromStopId === undefined ? undefined : ix.stops.get(leg.fromStopId)?.areas;
  const to = leg.toStopId === undefined ? undefined : ix.stops.get(leg.toStopId)?.areas;
  let best: FareLegRule | undefined;
  for (const rule of ix.legRules.get(leg.networkId) ?? []) {
    if (!areaMatches(rule.fromAreaId, from) || !areaMatches(rule.toAreaId, to)) continue;
    const tf = rule.fromTimeframeGroupId;
    if (tf !== undefined && !(ix.timeframes.get(tf) ?? []).some((t) => inTimeframe(clock, t))) {
      continue;
    }
    if (best === undefined || rule.rulePriority > best.rulePriority) best = rule;
  }
  const base = best === undefined ? undefined : ix.products.get(best.fareProductId);
  const legGroupCode = best === undefined ? undefined : ix.legGroupCodes.get(best.legGroupId);
  if (best === undefined || base === undefined || legGroupCode === undefined) {
    throw new AppError('FARE_NOT_FOUND', {
      details: { fareSetVersion: set.version, networkId: leg.networkId },
    });
  }
  return { rule: best, base, legGroupCode };
}
