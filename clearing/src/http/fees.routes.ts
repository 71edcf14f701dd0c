import { z } from 'zod';
import type { Router } from '@citycard/core/http';
import type { ClearingDeps } from '../deps.js';
import {
  addFeeSchedule,
  addSubsidyRule,
  feeScheduleInput,
  listFeeSchedules,
  listSubsidyRules,
  subsidyRuleInput,
  type FeeSchedule,
  type SubsidyRule,
} from '../fees/index.js';
import type { StaffPrincipal, StaffRole } from '../staff/index.js';
import { actorOf } from './actor.js';

const readers: StaffRole[] = ['finance', 'auditor', 'admin'];
const operatorIdParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
const amount = z.string();

const feeScheduleSchema = z.object({
  id: z.string(),
  operatorId: z.string(),
  version: z.number(),
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
  fixedFee: amount,
  dailyMin: amount.nullable(),
  dailyMax: amount.nullable(),
  rates: z.record(z.string(), z.string()),
});

const subsidyRuleSchema = z.object({
  id: z.string(),
  operatorId: z.string().nullable(),
  riderCategoryId: z.string(),
  version: z.number(),
  rate: z.string(),
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
});

/** Amounts and rates as decimal strings. */
function feeScheduleWire(s: FeeSchedule): z.input<typeof feeScheduleSchema> {
  return {
    ...s,
    fixedFee: s.fixedFee.toString(),
    dailyMin: s.dailyMin?.toString() ?? null,
    dailyMax: s.dailyMax?.toString() ?? null,
    rates: Object.fromEntries(Object.entries(s.rates).map(([type, r]) => [type, r.toString()])),
  };
}

const subsidyRuleWire = (r: SubsidyRule): z.input<typeof subsidyRuleSchema> => ({
  ...r,
  rate: r.rate.toString(),
});

export function registerFeeRoutes(
  router: Router<StaffRole, StaffPrincipal>,
  deps: ClearingDeps,
): void {
  const who = (principal: StaffPrincipal) => ({ actor: actorOf(principal), now: deps.clock() });

  router.route({
    method: 'GET',
    url: '/v1/fee-schedules',
    summary: 'Every fee schedule version, of one operator or all, oldest first',
    tags: ['fees'],
    access: readers,
    // An empty operatorId= (a cleared filter) asks for every operator.
    query: z.strictObject({ operatorId: z.union([z.literal(''), operatorIdParam]).optional() }),
    response: z.object({ feeSchedules: z.array(feeScheduleSchema) }),
    handler: async ({ query }) => {
      const schedules = await listFeeSchedules(deps.db, query.operatorId || undefined);
      return { feeSchedules: schedules.map(feeScheduleWire) };
    },
  });

  router.route({
    method: 'POST',
    url: '/v1/fee-schedules',
    summary: "A new version of an operator's fee schedule (overlapping periods are refused)",
    tags: ['fees'],
    access: ['admin'],
    status: 201,
    body: feeScheduleInput,
    response: feeScheduleSchema,
    handler: async ({ body, principal }) =>
      feeScheduleWire(await addFeeSchedule(deps.db, body, who(principal))),
  });

  router.route({
    method: 'GET',
    url: '/v1/subsidy-rules',
    summary: 'Every concession subsidy rule version',
    tags: ['fees'],
    access: readers,
    response: z.object({ subsidyRules: z.array(subsidyRuleSchema) }),
    handler: async () => ({
      subsidyRules: (await listSubsidyRules(deps.db)).map(subsidyRuleWire),
    }),
  });

  router.route({
    method: 'POST',
    url: '/v1/subsidy-rules',
    summary: 'A new version of a subsidy rule (overlapping periods are refused)',
    tags: ['fees'],
    access: ['admin'],
    status: 201,
    body: subsidyRuleInput,
    response: subsidyRuleSchema,
    handler: async ({ body, principal }) =>
      subsidyRuleWire(await addSubsidyRule(deps.db, body, who(principal))),
  });
}
