import { z } from 'zod';
import { AppError } from '@citycard/core/errors';
import type { Router } from '@citycard/core/http';
import type { ClearingDeps } from '../deps.js';
import {
  abortRun,
  approveRun,
  confirmRun,
  getSettlement,
  instructRun,
  paymentFileContent,
} from '../settlement/index.js';
import type { StaffPrincipal, StaffRole } from '../staff/index.js';
import { actorOf } from './actor.js';
import {
  confirmSchema,
  instructSchema,
  settlementSchema,
  stepSchema,
  toWire,
  uuidParam,
} from './wire.js';

const readers: StaffRole[] = ['finance', 'auditor', 'admin'];
const runParams = z.strictObject({ runId: uuidParam });
/** The bank's confirmation file travels as text inside JSON; a day's file is small. */
const MAX_CONFIRMATION_CHARS = 512 * 1024;

export function registerSettlementRoutes(
  router: Router<StaffRole, StaffPrincipal>,
  deps: ClearingDeps,
): void {
  const step = (principal: StaffPrincipal, runId: string) => ({
    ref: { runId },
    actor: actorOf(principal),
    now: deps.clock(),
  });

  router.route({
    method: 'GET',
    url: '/v1/runs/:runId/settlement',
    summary: "A run's settlement: status, next steps, payment file, confirmations, audit trail",
    tags: ['settlement'],
    access: readers,
    params: runParams,
    response: settlementSchema,
    handler: async ({ params }) =>
      toWire(await getSettlement(deps.db, { runId: params.runId })) as never,
  });

  router.route({
    method: 'POST',
    url: '/v1/runs/:runId/approve',
    summary: 'Approve a computed run (a finance user other than the one who ran it)',
    tags: ['settlement'],
    access: ['finance'],
    params: runParams,
    response: stepSchema,
    handler: async ({ params, principal }) => ({
      run: await approveRun(deps.db, step(principal, params.runId)),
    }),
  });

  router.route({
    method: 'POST',
    url: '/v1/runs/:runId/abort',
    summary: 'Abort a run before the bank is instructed; a rerun of the day replaces it',
    tags: ['settlement'],
    access: ['finance'],
    params: runParams,
    body: z.strictObject({ reason: z.string().trim().min(3).max(500) }),
    response: stepSchema,
    handler: async ({ params, body, principal }) => ({
      run: await abortRun(deps.db, { ...step(principal, params.runId), reason: body.reason }),
    }),
  });

  router.route({
    method: 'POST',
    url: '/v1/runs/:runId/instruct',
    summary: 'Write the bank payment file of an approved run (header/trailer control totals)',
    tags: ['settlement'],
    access: ['finance'],
    params: runParams,
    response: instructSchema,
    handler: async ({ params, principal }) => {
      const { run, paymentFile } = await instructRun(deps.db, step(principal, params.runId));
      const f = paymentFile.file;
      return {
        run,
        paymentFile: {
          id: f.fileId,
          count: f.count,
          total: f.total.toString(),
          sha256: paymentFile.sha256,
        },
      };
    },
  });

  router.route({
    method: 'GET',
    url: '/v1/runs/:runId/payment-file',
    summary: 'The payment file exactly as handed to the bank (CSV)',
    tags: ['settlement'],
    access: ['finance', 'auditor'],
    params: runParams,
    response: z.string(),
    handler: async ({ params, reply }) => {
      const file = await paymentFileContent(deps.db, { runId: params.runId });
      if (file === null)
        throw new AppError('NOT_FOUND', { message: 'The run has no payment file yet' });
      void reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file.fileId}.csv"`);
      return file.content;
    },
  });

  router.route({
    method: 'POST',
    url: '/v1/runs/:runId/confirmation',
    summary: "Import the bank's confirmation; settles the run when every line matches",
    tags: ['settlement'],
    access: ['finance'],
    params: runParams,
    body: z.strictObject({
      content: z.string().min(1).max(MAX_CONFIRMATION_CHARS),
      acceptDifferences: z.boolean().default(false),
    }),
    response: confirmSchema,
    handler: async ({ params, body, principal }) => {
      const result = await confirmRun(deps.db, {
        ...step(principal, params.runId),
        confirmation: body.content,
        acceptDifferences: body.acceptDifferences,
      });
      const { match, ...rest } = result;
      return toWire({
        ...rest,
        clean: match.clean,
        counts: match.counts,
        lines: match.lines,
      }) as never;
    },
  });
}
