import type { FareIndex } from './fare-index.js';
import type { FareTransferRule } from './fare-set.schema.js';
import type { RiderState } from './rider-state.js';

/**
 * The transfer rule that applies to a leg of `toLegGroupId` departing at `departure`, given the
 * card's transfer chain: the window counts from the chain's first departure, and the chain must
 * have made fewer transfers than the rule's transfer_count. The first rule listed wins.
 */
export function findTransfer(
  ix: FareIndex,
  chain: RiderState['transfer'],
  toLegGroupId: string,
  departure: number,
): FareTransferRule | undefined {
  const fromLegGroupId = ix.legGroupsByCode.get(chain.legGroup);
  if (fromLegGroupId === undefined || departure < chain.windowStartAt) return undefined;
  const elapsed = departure - chain.windowStartAt;
  return ix.transferRules.find(
    (t) =>
      t.fromLegGroupId === fromLegGroupId &&
      t.toLegGroupId === toLegGroupId &&
      elapsed <= t.durationLimit &&
      (t.transferCount === -1 || chain.count < t.transferCount),
  );
}

export function nextChain(
  chain: RiderState['transfer'],
  transferred: boolean,
  departure: number,
  legGroupCode: number,
): RiderState['transfer'] {
  return transferred
    ? {
        windowStartAt: chain.windowStartAt,
        count: Math.min(255, chain.count + 1),
        legGroup: legGroupCode,
      }
    : { windowStartAt: departure, count: 0, legGroup: legGroupCode };
}
