import { randomUUID } from 'node:crypto';
import type { Queryable } from '@citycard/core/db';
import { AppError } from '@citycard/core/errors';
import { recordAudit } from '../audit/audit.js';
import type { ActionContext } from './card-context.js';
import {
  MAX_BATCH_LINES,
  parseStockBatch,
  type StockLine,
  type StockLineProblem,
} from './stock-import.js';
import { existingUids, insertBatch, insertStockCards } from './stock.repository.js';

/** Enough lines to fix a file by; the count says how many there are in all. */
const MAX_REPORTED = 500;

export interface ImportedBatch {
  readonly batchId: string;
  readonly lineCount: number;
  readonly importedAt: Date;
}

function rejected(problems: readonly StockLineProblem[], message?: string): AppError {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  return new AppError('STOCK_BATCH_REJECTED', {
    ...(message === undefined ? {} : { message }),
    details: { problemCount: sorted.length, problems: sorted.slice(0, MAX_REPORTED) },
  });
}

const inStock = (lines: readonly StockLine[], taken: ReadonlySet<string>): StockLineProblem[] =>
  lines.filter((l) => taken.has(l.uid)).map((l) => ({ line: l.line, reason: 'already_in_stock' }));

/** All or nothing: one malformed or duplicate line refuses the batch, with every such line named. */
export async function importStockBatch(
  tx: Queryable,
  ctx: ActionContext,
  input: string | readonly unknown[],
): Promise<ImportedBatch> {
  const { lines, problems } = parseStockBatch(input);
  if (lines.length + problems.length === 0) throw rejected([], 'The batch has no UIDs');
  if (lines.length + problems.length > MAX_BATCH_LINES) {
    throw rejected([], `A batch holds at most ${MAX_BATCH_LINES} UIDs`);
  }
  const taken = await existingUids(
    tx,
    lines.map((l) => l.uid),
  );
  const all = [...problems, ...inStock(lines, taken)];
  if (all.length > 0) throw rejected(all);
  const batch = {
    id: randomUUID(),
    importedBy: ctx.staff.id,
    lineCount: lines.length,
    requestId: ctx.requestId,
    at: ctx.now,
  };
  await insertBatch(tx, batch);
  const raced = await insertStockCards(
    tx,
    batch,
    lines.map((l) => l.uid),
  );
  // The transaction rolls back on this throw: nothing of the batch stays.
  if (raced.size > 0) throw rejected(inStock(lines, raced));
  await recordAudit(tx, {
    actor: ctx.staff,
    action: 'stock.import',
    targetType: 'stock_batch',
    targetId: batch.id,
    requestId: ctx.requestId,
    after: { lineCount: batch.lineCount },
  });
  return { batchId: batch.id, lineCount: batch.lineCount, importedAt: batch.at };
}
