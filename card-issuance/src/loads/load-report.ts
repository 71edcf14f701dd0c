import type { CardKeys, CardPlan, PlanReport } from '@citycard/core/card';
import type { Queryable } from '@citycard/core/db';
import type { PlanKind, PlanRow, ReportAnswer, ReportContext } from '../agent/plan-registry.js';
import { agentMover, confirmLoad, lockCardRow, moveLoad, type Mover } from './load-settle.js';
import { buildLoadCardPlan, outcomeOfReport, parseLoadSpec, purseReadBack } from './load-plan.js';
import {
  latestAttempt,
  setAttemptOutcome,
  type AttemptOutcome,
} from './load-attempt.repository.js';
import { requireLoad, type LoadRow, type LoadState } from './load.repository.js';

const ANSWERS: Readonly<Record<LoadState, { status: ReportAnswer['status']; message: string }>> = {
  confirmed: { status: 'accepted', message: 'The load is on the card' },
  failed: {
    status: 'rejected',
    message: 'The load did not reach the card; the cash is kept: retry it or refund it',
  },
  refunded: { status: 'rejected', message: 'The load was refunded' },
  pending: { status: 'uncertain', message: 'The load is not settled yet' },
  uncertain: {
    status: 'uncertain',
    message: 'The card left mid-write; the next read of this card settles the load',
  },
  review: { status: 'uncertain', message: 'The load awaits a supervisor' },
};

export function answerFor(planId: string, load: LoadRow): ReportAnswer {
  return { planId, ...ANSWERS[load.state] };
}

/**
 * Settles a load from its plan's report. Only the load's newest attempt moves it, and only while
 * it is open: a report for a load already settled (by a later read, or a supervisor) changes
 * nothing but the attempt's recorded outcome.
 */
async function onLoadReport(
  tx: Queryable,
  plan: PlanRow,
  report: PlanReport,
  keys: CardKeys,
  ctx: ReportContext,
): Promise<ReportAnswer> {
  const spec = parseLoadSpec(plan.spec);
  await lockCardRow(tx, plan.cardId);
  const load = await requireLoad(tx, spec.loadId, { forUpdate: true });
  const cardPlan = buildLoadCardPlan(plan.id, plan.uid, keys, spec);
  const readBack = purseReadBack(cardPlan, report, plan.uid, keys.purseMacKey);
  const { outcome } = outcomeOfReport(cardPlan, report, spec, readBack);
  await setAttemptOutcome(tx, plan.id, outcome, ctx.now);
  const latest = await latestAttempt(tx, load.id);
  if (latest.planId !== plan.id) return answerFor(plan.id, load);
  const cause = readBack === undefined ? 'report' : 'read_back';
  const next = await settleFromReport(tx, load, outcome, cause, agentMover(ctx), plan.id);
  return answerFor(plan.id, next);
}

async function settleFromReport(
  tx: Queryable,
  load: LoadRow,
  outcome: AttemptOutcome,
  cause: 'report' | 'read_back',
  mover: Mover,
  planId: string,
): Promise<LoadRow> {
  // 'failed' is open too: a read after the plan expired may have settled it before this report.
  const open = load.state === 'pending' || load.state === 'uncertain' || load.state === 'failed';
  if (!open) return load;
  switch (outcome) {
    case 'written':
      return confirmLoad(tx, load, cause, mover, planId);
    case 'not_written':
      return load.state === 'failed'
        ? load
        : moveLoad(tx, load, 'failed', cause, mover, { planId });
    case 'unknown':
      return load.state === 'uncertain'
        ? load
        : moveLoad(tx, load, 'uncertain', cause, mover, { planId });
  }
}

export const loadPlanKind: PlanKind = {
  build(_tx: Queryable, plan: PlanRow, keys: CardKeys): Promise<CardPlan> {
    return Promise.resolve(buildLoadCardPlan(plan.id, plan.uid, keys, parseLoadSpec(plan.spec)));
  },
  onReport: onLoadReport,
};
