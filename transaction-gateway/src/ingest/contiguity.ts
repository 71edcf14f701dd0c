import type { Queryable } from '@citycard/core/db';
import { spansAbove, type InsertContext } from './ingest.repository.js';

export interface Position {
  highestContiguous: number;
  highestSeen: number;
}

export type Advanced = Position & { gap?: { from: number; to: number } | undefined };

/**
 * The new position when it follows from `before` alone; undefined when the range fills an
 * earlier gap with records stored above it, so contiguity can only run on over what is read.
 */
export function advanceKnown(
  before: Position,
  range: { first: number; last: number },
): Advanced | undefined {
  const highestSeen = Math.max(before.highestSeen, range.last);
  const gap =
    range.first > before.highestSeen + 1
      ? { from: before.highestSeen + 1, to: range.first - 1 }
      : undefined;
  const contiguous = before.highestContiguous;
  if (range.first > contiguous + 1 || range.last <= contiguous) {
    return { highestContiguous: contiguous, highestSeen, gap };
  }
  if (highestSeen > range.last) return undefined;
  return { highestContiguous: range.last, highestSeen, gap };
}

/**
 * The terminal's new position after firstSequence…lastSequence is stored (records and skipped
 * ranges tile it). Sequences missing before it are the gap to note, never refused; a range that
 * fills an earlier gap lets contiguity run on over what arrived before it.
 */
export async function advance(
  db: Queryable,
  ctx: InsertContext,
  before: Position,
  range: { first: number; last: number },
): Promise<Advanced> {
  const known = advanceKnown(before, range);
  if (known !== undefined) return known;
  // This upload's own skipped ranges end at or below range.last: only earlier uploads count.
  let contiguous = range.last;
  for (const span of await spansAbove(db, ctx.terminalId, contiguous)) {
    if (span.from > contiguous + 1) break;
    contiguous = Math.max(contiguous, span.to);
  }
  // Filling an earlier gap means the range starts at or below the highest seen: no new gap.
  return { highestContiguous: contiguous, highestSeen: before.highestSeen };
}
