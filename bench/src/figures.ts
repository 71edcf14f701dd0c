/** Benchmarks end with one JSON line of figures, each name carrying its unit. */
export function printFigures(
  bench: string,
  figures: Record<string, number | string | boolean>,
): void {
  console.log(JSON.stringify({ bench, ...figures }));
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)] ?? Number.NaN;
}

export const round = (value: number, places = 2): number => Number(value.toFixed(places));
