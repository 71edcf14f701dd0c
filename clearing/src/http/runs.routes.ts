import { z } from 'zod';
import type { Router } from '@citycard/core/http';
import type { ClearingDeps } from '../deps.js';
import { statementCsv, statementPdf } from '../reports/index.js';
import { getRun, listRuns, runClearing } from '../run/index.js';
import { RUN_STATUSES } from '../run/run.types.js';
import type { StaffPrincipal, StaffRole } from '../staff/index.js';
import { actorOf } from './actor.js';
import { runHours } from './run-hours.js';
import { dayParam, runDetailSchema, runSummarySchema, toWire, uuidParam } from './wire.js';

const readers: StaffRole[] = ['finance', 'auditor', 'admin'];
const runParams = z.strictObject({ runId: uuidParam });
const operatorIdParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);

export function registerRunRoutes(
  router: Router<StaffRole, StaffPrincipal>,
  deps: ClearingDeps,
): void {
  router.route({
    method: 'GET',
    url: '/v1/runs',
    summary: 'Clearing runs, latest day first',
    tags: ['runs'],
    access: readers,
    query: z.strictObject({
      day: dayParam.optional(),
      status: z.enum(RUN_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
    response: z.object({ runs: z.array(runSummarySchema) }),
    handler: async ({ query }) => ({ runs: toWire(await listRuns(deps.db, query)) as never }),
  });

  router.route({
    method: 'POST',
    url: '/v1/runs',
    summary: 'Run clearing for a business day (reruns a computed day to the same output hash)',
    tags: ['runs'],
    access: ['finance'],
    status: 201,
    body: z.strictObject({ day: dayParam }),
    response: runDetailSchema,
    handler: async ({ body, principal }) => {
      const { cutoffTime, timeZone } = deps.settings;
      const run = await runClearing(deps.db, {
        day: body.day,
        staff: actorOf(principal),
        now: deps.clock(),
        cutoffTime,
        timeZone,
      });
      return toWire(run) as never;
    },
  });

  router.route({
    method: 'GET',
    url: '/v1/runs/:runId',
    summary: 'A run with its operator lines, subsidies, positions and float check',
    tags: ['runs'],
    access: readers,
    params: runParams,
    response: runDetailSchema,
    handler: async ({ params }) => toWire(await getRun(deps.db, params.runId)) as never,
  });

  router.route({
    method: 'GET',
    url: '/v1/runs/:runId/hours',
    summary: "What the run cleared per operator and local hour of occurrence (the city's zone)",
    tags: ['runs'],
    access: readers,
    params: runParams,
    response: z.object({
      hours: z.array(
        z.object({
          operatorId: z.string(),
          hourStart: z.string(),
          localHour: z.number().int().min(0).max(23),
          count: z.number(),
          gross: z.string(),
        }),
      ),
    }),
    handler: async ({ params }) => ({
      hours: await runHours(deps.db, params.runId, deps.settings.timeZone),
    }),
  });

  router.route({
    method: 'GET',
    url: '/v1/runs/:runId/statements.csv',
    summary: 'Settlement statement as CSV, one row per operator, with the run output hash',
    tags: ['reports'],
    access: readers,
    params: runParams,
    query: z.strictObject({ operatorId: operatorIdParam.optional() }),
    response: z.string(),
    handler: async ({ params, query, reply }) => {
      const run = await getRun(deps.db, params.runId);
      void reply.type('text/csv; charset=utf-8');
      return statementCsv(run, query.operatorId);
    },
  });

  router.route({
    method: 'GET',
    url: '/v1/runs/:runId/statements/:operatorId/pdf',
    summary: "An operator's settlement statement as PDF, with the run output hash",
    tags: ['reports'],
    access: readers,
    params: z.strictObject({ runId: uuidParam, operatorId: operatorIdParam }),
    response: z.instanceof(Buffer),
    handler: async ({ params, reply }) => {
      const pdf = await statementPdf(await getRun(deps.db, params.runId), params.operatorId);
      void reply
        .type('application/pdf')
        .header(
          'content-disposition',
          `attachment; filename="statement-${params.runId}-${params.operatorId}.pdf"`,
        );
      return pdf;
    },
  });
}
