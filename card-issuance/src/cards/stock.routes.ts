import { z } from 'zod';
import { withTransaction } from '@citycard/core/db';
import type { IssuanceDeps } from '../deps.js';
import type { IssuanceRouter } from '../routes.js';
import { STOCK_IMPORTERS } from './card-context.js';
import { MAX_BATCH_LINES } from './stock-import.js';
import { importStockBatch } from './stock.service.js';

/** text/plain, one UID a line; or application/json, an array of UID strings. */
const batchBody = z.union([
  z.string(),
  z.array(z.unknown()).max(MAX_BATCH_LINES, `at most ${MAX_BATCH_LINES} UIDs a batch`),
]);

const batchResult = z.object({
  batchId: z.uuid(),
  lineCount: z.int(),
  importedAt: z.string(),
});

export function registerStockRoutes(router: IssuanceRouter, deps: IssuanceDeps): void {
  router.route({
    method: 'POST',
    url: '/stock/batches',
    summary: 'Import blank cards into stock, all or nothing (one UID a line, or a JSON array)',
    tags: ['stock'],
    access: STOCK_IMPORTERS,
    body: batchBody,
    response: batchResult,
    status: 201,
    handler: async ({ body, principal, request }) => {
      const ctx = { staff: principal, requestId: request.id, now: deps.clock() };
      const batch = await withTransaction(deps.db, (tx) => importStockBatch(tx, ctx, body));
      return { ...batch, importedAt: batch.importedAt.toISOString() };
    },
  });
}
