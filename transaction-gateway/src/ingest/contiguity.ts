import type { Queryable } from '@citycard/core/db';
import { spansAbove, type InsertContext } from './ingest.repository.js';

export interface Position {
  highestContiguous: number;
  highestSeen: number;
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
): Promise<Position & { gap?: { from: number; to: number } }> {
  const highestSeen = Math.max(before.highestSeen, range.last);
  const gap =
    range.first > before.highestSeen + 1
      ? { from: before.highestSeen + 1, to: range.first - 1 }
      : undefined;
  let contiguous = before.highestContiguous;
  if (range.first > contiguous + 1 || range.last <= contiguous) {
    return { highestContiguous: contiguous, highestSeen, gap };
  }
  contiguous = range.last;
  if (highestSeen > contiguous) {
    // This upload's own skipped ranges end at or below range.last: only earlier uploads count.
    for (const span of await spansAbove(db, ctx.terminalId, contiguous)) {
      if (span.from > contiguous + 1) break;
      contiguous = Math.max(contiguous, span.to);
    }
  }
  return { highestContiguous: contiguous, highestSeen, gap };
}
