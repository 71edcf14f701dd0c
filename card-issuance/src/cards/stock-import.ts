/** The most UIDs one batch may carry (a few hundred kilobytes of text). */
export const MAX_BATCH_LINES = 20_000;

const UID = /^(?:[0-9A-F]{8}|[0-9A-F]{14})$/;

export type StockLineReason = 'malformed' | 'duplicate_in_batch' | 'already_in_stock';

export interface StockLineProblem {
  /** 1-based: the line of the text, or the position in the JSON array. */
  readonly line: number;
  readonly reason: StockLineReason;
  /** For a duplicate within the batch: the line that had it first. */
  readonly firstLine?: number;
}

export interface StockLine {
  readonly line: number;
  readonly uid: string;
}

export interface ParsedBatch {
  readonly lines: readonly StockLine[];
  readonly problems: readonly StockLineProblem[];
}

/**
 * Reads a batch given as text (one UID a line; blank lines are skipped but still counted, so line
 * numbers match the file) or as a JSON array. UIDs are hex, 4 or 7 bytes, any case; stored upper.
 */
export function parseStockBatch(input: string | readonly unknown[]): ParsedBatch {
  const raw: { line: number; value: unknown }[] =
    typeof input === 'string'
      ? input
          .split(/\r?\n/)
          .map((value, i) => ({ line: i + 1, value }))
          .filter((l) => l.value.trim() !== '')
      : input.map((value, i) => ({ line: i + 1, value }));
  const lines: StockLine[] = [];
  const problems: StockLineProblem[] = [];
  const firstSeen = new Map<string, number>();
  for (const { line, value } of raw) {
    const uid = typeof value === 'string' ? value.trim().toUpperCase() : '';
    if (!UID.test(uid)) {
      problems.push({ line, reason: 'malformed' });
      continue;
    }
    const first = firstSeen.get(uid);
    if (first !== undefined) {
      problems.push({ line, reason: 'duplicate_in_batch', firstLine: first });
      continue;
    }
    firstSeen.set(uid, line);
    lines.push({ line, uid });
  }
  return { lines, problems };
}
