/** A rule's effective period: from (inclusive) to (exclusive), YYYY-MM-DD; to null is open. */
export interface EffectivePeriod {
  readonly effectiveFrom: string;
  readonly effectiveTo: string | null;
}

export function periodsOverlap(a: EffectivePeriod, b: EffectivePeriod): boolean {
  return (
    (b.effectiveTo === null || a.effectiveFrom < b.effectiveTo) &&
    (a.effectiveTo === null || b.effectiveFrom < a.effectiveTo)
  );
}

/**
 * The existing versions a new one would overlap ambiguously. The highest version in force wins,
 * so a new version may take over an open-ended one that started before it (that is how a rate
 * changes from a date on); any other overlap would silently hide a window someone set on purpose
 * (a bounded period, or one starting on or after the new one's start), and is refused.
 */
export function conflictingPeriods<T extends EffectivePeriod>(
  existing: readonly T[],
  candidate: EffectivePeriod,
): T[] {
  return existing.filter(
    (e) =>
      periodsOverlap(e, candidate) &&
      (e.effectiveTo !== null || e.effectiveFrom >= candidate.effectiveFrom),
  );
}
