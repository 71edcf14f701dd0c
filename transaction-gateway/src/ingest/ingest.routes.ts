import {
  PROTOCOL_PATHS,
  batchSchema,
  receiptSchema,
  singleReceiptSchema,
  transactionRecordSchema,
} from '@citycard/terminal-sdk/protocol';
import type { GatewayDeps } from '../deps.js';
import { observeIngest } from '../metrics/index.js';
import type { TerminalRouter } from '../terminals/index.js';
import { checkBatch, checkSingleRecord } from './ingest.checks.js';
import { ingest, type IngestResult } from './ingest.service.js';
import { ingestSingle } from './single-group.service.js';

function observe(route: string, started: number, result: IngestResult | undefined): void {
  const seconds = (performance.now() - started) / 1000;
  if (result === undefined) {
    observeIngest({ route, result: 'rejected', seconds });
    return;
  }
  const counts = { accepted: 0, duplicate: 0, quarantined: 0, conflict: 0 };
  const reasons: string[] = [];
  if (!result.replayed) {
    for (const o of result.outcomes) {
      counts[o.outcome] += 1;
      if (o.reason !== undefined) reasons.push(o.reason);
    }
  }
  const kind = result.replayed ? 'replayed' : 'stored';
  observeIngest({ route, result: kind, counts, quarantineReasons: reasons, seconds });
}

async function observed<T extends IngestResult>(route: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await run();
    observe(route, started, result);
    return result;
  } catch (error) {
    observe(route, started, undefined);
    throw error;
  }
}

/** POST /v1/batches and POST /v1/transactions, for enrolled terminals (request signature). */
export function registerIngestRoutes(router: TerminalRouter, deps: GatewayDeps): void {
  router.route({
    method: 'POST',
    url: PROTOCOL_PATHS.batches,
    summary: 'Upload a MACed batch of transaction records; answered after commit',
    tags: ['ingest'],
    access: ['terminal'],
    body: batchSchema,
    response: receiptSchema,
    handler: async ({ body, principal }) => {
      const result = await observed('batch', () => {
        const macInputs = checkBatch(principal, body, deps.clock(), deps.settings);
        const upload = {
          batch: body,
          records: body.records,
          macInputs,
          skipped: body.skipped,
          first: body.firstSequence,
          last: body.lastSequence,
        };
        return ingest(deps, principal, upload);
      });
      if (result.receipt === undefined) throw new Error('a batch upload has a receipt');
      return result.receipt;
    },
  });
  router.route({
    method: 'POST',
    url: PROTOCOL_PATHS.transactions,
    summary: 'Post one transaction record from an online terminal; answered after commit',
    tags: ['ingest'],
    access: ['terminal'],
    body: transactionRecordSchema,
    response: singleReceiptSchema,
    handler: async ({ body, principal }) => {
      const result = await observed('transaction', () => {
        const macInput = checkSingleRecord(principal, body);
        return ingestSingle(deps, principal, body, macInput);
      });
      const outcome = result.outcomes[0];
      if (outcome === undefined) throw new Error('a single record has an outcome');
      return {
        v: 1 as const,
        terminalId: principal.id,
        outcome,
        highestContiguousSequence: result.highestContiguousSequence,
        receivedAt: result.receivedAt.toISOString(),
      };
    },
  });
}
